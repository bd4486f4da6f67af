// The engine's laws as properties over random policy sets, requests and restrictions. The oracle
// below restates "a rule matches" plainly, without the index or bit masks of the engine.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { day, decisionInputs, now } from "../helpers/sharing-arbitraries";
import { compilePolicySet, decide, type DecisionRequest, type PolicyVersionInput, type RestrictionInput, type RuleInput } from "@/lib/sharing/engine";

const inputs = decisionInputs(
  { trusts: ["RHM", "RHU", "RNZ", "R1F"], roles: ["radiologist", "clinician", "radiographer", "mdt_coordinator"], modalities: ["CT", "MR", "DX", "US"], purposes: ["direct_care", "mdt", "emergency", "research"], nhsNumbers: ["9990000018", "9990000026", "9990000034"] },
  {
    extraActive: 2,
    approvedFreq: 4,
    effectiveFrom: fc.integer({ min: -400, max: 30 }).map((d) => new Date(now.getTime() + d * day)),
    effectiveUntil: fc.integer({ min: -30, max: 400 }).map((d) => new Date(now.getTime() + d * day)),
    maxStudyAgeDays: 20 * 365,
    minVersions: 0,
  },
);

// --- the oracle -------------------------------------------------------------------------------
const isLive = (v: PolicyVersionInput) =>
  v.status === "active" && v.approvedBy !== null && v.effectiveFrom.getTime() <= now.getTime() && (v.effectiveUntil === null || now.getTime() < v.effectiveUntil.getTime());

function cutoff(years: number) {
  const d = now.toISOString();
  return `${Number(d.slice(0, 4)) - years}${d.slice(4, 10)}`;
}

/** What break-glass still needs: every condition but the relationship, and the purpose unless an emergency. */
function matchesBase(rule: RuleInput, req: DecisionRequest) {
  return (
    rule.targetTrusts.includes(req.requester.trust) &&
    rule.requesterRoles.some((r) => req.requester.roles.includes(r)) &&
    rule.modalities.includes(req.study.modality) &&
    (rule.maxStudyAgeYears === null || req.study.studyDate >= cutoff(rule.maxStudyAgeYears)) &&
    (rule.purposes.includes(req.purpose) || req.purpose === "emergency")
  );
}
function matchesAll(rule: RuleInput, req: DecisionRequest) {
  return matchesBase(rule, req) && rule.purposes.includes(req.purpose) && (!rule.requiresRelationship || req.patientEpisodeTrusts.includes(req.requester.trust));
}
const liveRules = (versions: PolicyVersionInput[], req: DecisionRequest) =>
  versions.filter((v) => isLive(v) && v.sourceTrust === req.study.sourceTrust).flatMap((v) => v.rules.map((rule) => ({ v, rule })));

const crossTrustValid = (req: DecisionRequest) => req.requester.status === "active" && req.requester.roles.length > 0 && req.requester.trust !== req.study.sourceTrust;
const isRestricted = (restrictions: RestrictionInput[], req: DecisionRequest) =>
  restrictions.some((r) => r.sourceTrust === req.study.sourceTrust && r.nhsNumber === req.study.patientNhsNumber);

function shuffled<T>(values: readonly T[], seed: number): T[] {
  const out = [...values];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const runs = { numRuns: 3000 };

describe("engine laws", () => {
  it("deny overrides: a live deny rule matching every condition always denies", () => {
    fc.assert(
      fc.property(inputs, ({ versions, restrictions, request }) => {
        if (!crossTrustValid(request)) return;
        const denied = liveRules(versions, request).some(({ rule }) => rule.effect === "deny" && matchesAll(rule, request));
        if (denied) expect(decide(compilePolicySet(versions, restrictions), request, now).decision).toBe("deny");
      }),
      runs,
    );
  });

  it("no permit across trusts without a live, approved rule of the source trust matching every condition", () => {
    fc.assert(
      fc.property(inputs, ({ versions, restrictions, request }) => {
        const d = decide(compilePolicySet(versions, restrictions), request, now);
        if (d.decision !== "permit" || request.requester.trust === request.study.sourceTrust) return;
        const live = liveRules(versions, request).filter(({ rule }) => rule.effect === "permit");
        if (d.breakGlass) {
          expect(request.breakGlassJustification?.trim()).toBeTruthy();
          expect(live.some(({ rule, v }) => rule.breakGlassAllowed && matchesBase(rule, request) && v.policyId === d.policy?.id && v.version === d.policy?.version)).toBe(true);
        } else {
          expect(live.some(({ rule, v }) => matchesAll(rule, request) && v.policyId === d.policy?.id && v.version === d.policy?.version)).toBe(true);
        }
      }),
      runs,
    );
  });

  it("agrees with the oracle on every answer", () => {
    fc.assert(
      fc.property(inputs, ({ versions, restrictions, request }) => {
        const d = decide(compilePolicySet(versions, restrictions), request, now);
        let expected: string;
        if (request.requester.status !== "active" || request.requester.roles.length === 0) expected = "deny";
        else if (request.requester.trust === request.study.sourceTrust) expected = "permit";
        else {
          const live = liveRules(versions, request);
          if (live.some(({ rule }) => rule.effect === "deny" && matchesAll(rule, request))) expected = "deny";
          else if (!isRestricted(restrictions, request) && live.some(({ rule }) => rule.effect === "permit" && matchesAll(rule, request))) expected = "permit";
          else if (!live.some(({ rule }) => rule.effect === "permit" && rule.breakGlassAllowed && matchesBase(rule, request))) expected = "deny";
          else expected = request.breakGlassJustification?.trim() ? "permit" : "break_glass_required";
        }
        expect(d.decision).toBe(expected);
      }),
      runs,
    );
  });

  it("restrictions hold: a restricted patient is permitted across trusts only by break-glass", () => {
    fc.assert(
      fc.property(inputs, ({ versions, restrictions, request }) => {
        if (!isRestricted(restrictions, request) || request.requester.trust === request.study.sourceTrust) return;
        const d = decide(compilePolicySet(versions, restrictions), request, now);
        if (d.decision === "permit") expect(d.breakGlass).toBe(true);
        expect(d.reasons.some((r) => r.code === "patient_restricted" || r.code === "denied_by_rule" || r.code === "unknown_user" || r.code === "user_inactive" || r.code === "no_role_at_trust")).toBe(true);
      }),
      runs,
    );
  });

  it("the answer does not depend on the order of policies, rules or restrictions", () => {
    fc.assert(
      fc.property(inputs, fc.integer(), ({ versions, restrictions, request }, seed) => {
        const a = decide(compilePolicySet(versions, restrictions), request, now);
        const reordered = shuffled(versions, seed).map((v) => ({ ...v, rules: v.rules }));
        const b = decide(compilePolicySet(reordered, shuffled(restrictions, seed + 1)), request, now);
        expect(b).toEqual(a);
        // Rules reordered within their versions: the same answer from the same policy version.
        const rulesShuffled = versions.map((v, i) => ({ ...v, rules: shuffled(v.rules, seed + i) }));
        const c = decide(compilePolicySet(rulesShuffled, restrictions), request, now);
        expect({ decision: c.decision, policy: c.policy, codes: c.reasons.map((r) => r.code), breakGlass: c.breakGlass }).toEqual({
          decision: a.decision,
          policy: a.policy,
          codes: a.reasons.map((r) => r.code),
          breakGlass: a.breakGlass,
        });
      }),
      runs,
    );
  });
});
