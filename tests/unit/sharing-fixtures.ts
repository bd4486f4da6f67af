// Builders of policy versions and requests for the engine's tests.
import type { DecisionRequest, PolicyVersionInput, RuleInput } from "@/lib/sharing/engine";

export const now = new Date("2026-06-15T12:00:00Z");

export function rule(overrides: Partial<RuleInput> = {}): RuleInput {
  return {
    id: "r1",
    effect: "permit",
    targetTrusts: ["RHU", "RHM"],
    requesterRoles: ["radiologist", "clinician"],
    modalities: ["CT", "MR", "DX"],
    purposes: ["direct_care", "mdt"],
    maxStudyAgeYears: 10,
    requiresRelationship: true,
    breakGlassAllowed: true,
    ...overrides,
  };
}

export function version(overrides: Partial<PolicyVersionInput> = {}, rules: RuleInput[] = [rule()]): PolicyVersionInput {
  return {
    policyId: "00000000-0000-4000-8000-000000000001",
    policyName: "Salisbury imaging for regional care",
    version: 1,
    sourceTrust: "RNZ",
    status: "active",
    approvedBy: "approver",
    effectiveFrom: new Date("2026-04-01T00:00:00Z"),
    effectiveUntil: null,
    rules,
    ...overrides,
  };
}

export function request(overrides: {
  requester?: Partial<DecisionRequest["requester"]>;
  study?: Partial<DecisionRequest["study"]>;
  purpose?: string;
  patientEpisodeTrusts?: string[];
  breakGlassJustification?: string | null;
} = {}): DecisionRequest {
  return {
    requester: { user: "rad@rhu.example", trust: "RHU", status: "active", roles: ["radiologist"], ...overrides.requester },
    study: { sourceTrust: "RNZ", modality: "MR", studyDate: "2024-05-01", studyInstanceUid: "1.2.3", patientNhsNumber: "9990000018", ...overrides.study },
    purpose: overrides.purpose ?? "mdt",
    patientEpisodeTrusts: overrides.patientEpisodeTrusts ?? ["RHU", "RNZ"],
    breakGlassJustification: overrides.breakGlassJustification ?? null,
  };
}
