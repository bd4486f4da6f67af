// The simulator's explain() and the machine API's decide() must tell the same story: over random
// policy sets, restrictions and requests, the decision explain() reports is decide()'s, and the
// rule-by-rule explanation accounts for it (the rule that decided is one the explanation says
// applies, and no rule the explanation says applies is ignored by the decision).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { day, decisionInputs, now } from "../helpers/sharing-arbitraries";
import { compilePolicySet, decide, explain } from "@/lib/sharing/engine";

// Small vocabularies, so that rules often match a request and every branch of the decision is
// reached many times a run (with the whole vocabularies almost every request matches no rule).
const inputs = decisionInputs(
  { trusts: ["RHM", "RHU", "RNZ"], roles: ["radiologist", "clinician"], modalities: ["CT", "MR"], purposes: ["direct_care", "emergency", "research"], nhsNumbers: ["9990000018", "9990000026", null] },
  {
    extraActive: 4,
    approvedFreq: 6,
    // Windows on London midnights (23:00 UTC in summer), a few ending or starting around now.
    effectiveFrom: fc.integer({ min: -5, max: 2 }).map((d) => new Date(now.getTime() - 13 * 3_600_000 + d * day)),
    effectiveUntil: fc.integer({ min: -2, max: 5 }).map((d) => new Date(now.getTime() - 13 * 3_600_000 + d * day)),
    maxStudyAgeDays: 16 * 365,
    minVersions: 1,
  },
);

const key = (p: { id: string; version: number } | { policyId: string; version: number }) => `${"id" in p ? p.id : p.policyId}@${p.version}`;

describe("explain() agrees with decide()", () => {
  it("reports decide()'s decision, and its rules account for it", () => {
    fc.assert(
      fc.property(inputs, ({ versions, restrictions, request }) => {
        const set = compilePolicySet(versions, restrictions);
        const decision = decide(set, request, now);
        const explanation = explain(set, request, now);
        expect(explanation.decision).toEqual(decision);

        // The explanation covers every rule of the source trust's live policies, in order.
        const compiled = set.bySource.get(request.study.sourceTrust) ?? [];
        expect(explanation.rules.map((r) => `${r.policyId}@${r.version}#${r.ruleIndex}`)).toEqual(compiled.map((r) => `${r.policyId}@${r.version}#${r.ruleIndex}`));
        const restricted = restrictions.some((r) => r.sourceTrust === request.study.sourceTrust && r.nhsNumber === request.study.patientNhsNumber);
        expect(explanation.restricted).toBe(restricted);

        // Who may not ask at all, and the source trust's own staff, are decided before any rule.
        const { requester } = request;
        if (requester.status !== "active" || requester.roles.length === 0 || requester.trust === request.study.sourceTrust) return;

        const applying = explanation.rules.filter((r) => r.outcome === "applies");
        const denying = applying.filter((r) => r.effect === "deny");
        const permitting = applying.filter((r) => r.effect === "permit");
        // A rule break-glass can use: a permit rule allowing it whose unmet conditions break-glass waives.
        const breakGlassable = explanation.rules.filter((r, i) => r.effect === "permit" && compiled[i]!.breakGlassAllowed && r.outcome !== "does_not_apply");
        const policyOf = (rules: typeof applying) => rules.map((r) => key(r));

        if (denying.length > 0) {
          expect(decision.decision).toBe("deny");
          expect(decision.reasons.map((r) => r.code)).toEqual(["denied_by_rule"]);
          expect(policyOf(denying)).toContain(key(decision.policy!));
        } else if (permitting.length > 0 && !restricted) {
          expect(decision).toMatchObject({ decision: "permit", breakGlass: false });
          expect(decision.reasons.map((r) => r.code)).toEqual(["permitted_by_rule"]);
          expect(policyOf(permitting)).toContain(key(decision.policy!));
        } else if (breakGlassable.length === 0) {
          expect(decision).toMatchObject({ decision: "deny", policy: null, breakGlass: false });
          expect(decision.reasons.map((r) => r.code)).toEqual([restricted ? "patient_restricted" : "no_permitting_rule"]);
        } else {
          const justified = Boolean(request.breakGlassJustification?.trim());
          expect(decision).toMatchObject({ decision: justified ? "permit" : "break_glass_required", breakGlass: justified });
          expect(policyOf(breakGlassable)).toContain(key(decision.policy!));
        }

        // A rule the explanation says does not apply never decided a permit, nor a deny.
        if (decision.policy && decision.reasons.some((r) => r.code === "permitted_by_rule" || r.code === "denied_by_rule")) {
          expect(policyOf(applying)).toContain(key(decision.policy));
        }
      }),
      { numRuns: 3000 },
    );
    // Thousands of decisions with explanations: seconds on a busy machine, more than the default 5.
  }, 60_000);
});
