// Random policy sets, restrictions and requests for the sharing engine's property tests
// (tests/unit/sharing-*.property.test.ts). Each test chooses its vocabularies and the shape of its
// policies' windows; how a rule, a version, a restriction and a request are built is said once here.
import fc from "fast-check";
import type { DecisionRequest, PolicyVersionInput, RestrictionInput, RuleInput } from "@/lib/sharing/engine";
import { versionStatuses } from "@/lib/vocabulary";

/** The moment every property decides at. */
export const now = new Date("2026-06-15T12:00:00Z");
/** A day in milliseconds. */
export const day = 86_400_000;

/** The values drawn from: small lists make rules often match a request. */
export type Vocabularies = {
  trusts: readonly string[];
  roles: readonly string[];
  modalities: readonly string[];
  purposes: readonly string[];
  /** A null is a request that names no patient. */
  nhsNumbers: readonly (string | null)[];
};

/** How the policy versions and requests are spread. */
export type Shape = {
  /** How many more draws of "active" beside one of each status. */
  extraActive: number;
  /** How often an approver is there: `freq` of fc.option (one in freq + 1 has none). */
  approvedFreq: number;
  effectiveFrom: fc.Arbitrary<Date>;
  effectiveUntil: fc.Arbitrary<Date>;
  /** The oldest study, in days before `now`. */
  maxStudyAgeDays: number;
  minVersions: number;
};

const subset = <T>(values: readonly T[]) => fc.subarray([...values], { minLength: 1 });

function ruleArb(v: Vocabularies): fc.Arbitrary<RuleInput> {
  return fc.record({
    id: fc.constantFrom("a", "b", "c"),
    effect: fc.constantFrom("permit" as const, "permit" as const, "deny" as const),
    targetTrusts: subset(v.trusts),
    requesterRoles: subset(v.roles),
    modalities: subset(v.modalities),
    purposes: subset(v.purposes),
    maxStudyAgeYears: fc.option(fc.integer({ min: 1, max: 15 }), { nil: null }),
    requiresRelationship: fc.boolean(),
    breakGlassAllowed: fc.boolean(),
  });
}

function versionArb(v: Vocabularies, s: Shape): fc.Arbitrary<PolicyVersionInput> {
  return fc.record({
    policyId: fc.constantFrom("p1", "p2", "p3", "p4"),
    policyName: fc.constant("policy"),
    version: fc.integer({ min: 1, max: 3 }),
    sourceTrust: fc.constantFrom(...v.trusts),
    status: fc.constantFrom(...versionStatuses, ...Array.from({ length: s.extraActive }, () => "active" as const)),
    approvedBy: fc.option(fc.constant("officer"), { nil: null, freq: s.approvedFreq }),
    effectiveFrom: s.effectiveFrom,
    effectiveUntil: fc.option(s.effectiveUntil, { nil: null }),
    rules: fc.array(ruleArb(v), { minLength: 1, maxLength: 4 }),
  });
}

/** Restrictions only on NHS numbers (a request without one is never restricted). */
function restrictionArb(v: Vocabularies): fc.Arbitrary<RestrictionInput> {
  const numbers = v.nhsNumbers.filter((n): n is string => n !== null);
  return fc.record({ sourceTrust: fc.constantFrom(...v.trusts), nhsNumber: fc.constantFrom(...numbers) });
}

function requestArb(v: Vocabularies, s: Shape): fc.Arbitrary<DecisionRequest> {
  return fc.record({
    requester: fc.record({
      user: fc.constant("someone@example"),
      trust: fc.constantFrom(...v.trusts),
      status: fc.constantFrom("active" as const, "active" as const, "active" as const, "suspended" as const, null),
      roles: fc.subarray([...v.roles]),
    }),
    study: fc.record({
      sourceTrust: fc.constantFrom(...v.trusts),
      // MG and teaching are in no rule: requests that match nothing.
      modality: fc.constantFrom(...v.modalities, "MG"),
      studyDate: fc.integer({ min: 0, max: s.maxStudyAgeDays }).map((d) => new Date(now.getTime() - d * day).toISOString().slice(0, 10)),
      studyInstanceUid: fc.constant("1.2.3"),
      patientNhsNumber: fc.constantFrom(...v.nhsNumbers),
    }),
    purpose: fc.constantFrom(...v.purposes, "teaching"),
    patientEpisodeTrusts: fc.subarray([...v.trusts]),
    breakGlassJustification: fc.constantFrom(null, "", "  ", "Unconscious trauma patient"),
  });
}

/** Policy versions, restrictions and one request, drawn together. */
export function decisionInputs(v: Vocabularies, s: Shape) {
  return fc.record({
    versions: fc.array(versionArb(v, s), { minLength: s.minVersions, maxLength: 8 }),
    restrictions: fc.array(restrictionArb(v), { maxLength: 3 }),
    request: requestArb(v, s),
  });
}
