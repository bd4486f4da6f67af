// The words of cross-trust sharing, shared by the schema, the forms, the engine and the API.
// Pure constants: no database, no framework.

/** Why a clinician asks for another trust's images (DESIGN.md "Sharing policy"). */
export const purposes = ["direct_care", "mdt", "emergency", "clinical_audit", "teaching", "research"] as const;
export type Purpose = (typeof purposes)[number];

export const purposeLabels: Record<Purpose, string> = {
  direct_care: "Direct care",
  mdt: "MDT review",
  emergency: "Emergency",
  clinical_audit: "Clinical audit",
  teaching: "Teaching",
  research: "Research",
};

/** A policy version's life: never edited once it leaves draft. */
export const versionStatuses = ["draft", "pending_approval", "active", "superseded", "revoked"] as const;
export type VersionStatus = (typeof versionStatuses)[number];

export const versionStatusLabels: Record<VersionStatus, string> = {
  draft: "Draft",
  pending_approval: "Pending approval",
  active: "Active",
  superseded: "Superseded",
  revoked: "Revoked",
};

export const ruleEffects = ["permit", "deny"] as const;
export type RuleEffect = (typeof ruleEffects)[number];

/** Why an IG officer restricts a patient's NHS number. */
export const restrictionReasons = ["objection", "safeguarding", "vip"] as const;
export type RestrictionReason = (typeof restrictionReasons)[number];

export const restrictionReasonLabels: Record<RestrictionReason, string> = {
  objection: "Patient objection",
  safeguarding: "Safeguarding",
  vip: "VIP (high-profile patient)",
};

export const decisions = ["permit", "deny", "break_glass_required"] as const;
export type DecisionOutcome = (typeof decisions)[number];

/** One rule of a policy version, stored in the version's `rules` column (a version is one immutable value). */
export type StoredRule = {
  /** Stable across versions, so that a new version can be compared rule by rule with the last. */
  id: string;
  effect: RuleEffect;
  /** ODS codes (an ODS code never changes). */
  targetTrusts: string[];
  requesterRoles: string[];
  modalities: string[];
  purposes: string[];
  maxStudyAgeYears: number | null;
  requiresRelationship: boolean;
  breakGlassAllowed: boolean;
};
