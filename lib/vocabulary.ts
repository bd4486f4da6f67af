// Mosaic's one vocabulary: the closed code lists that forms, schemas, the sharing engine, the audit
// trail and the API share, with the label a person reads for each. Pure constants: no database,
// no framework. The lists that are a column's check (statuses, modalities, reasons) are defined
// beside their table in db/schema, the bottom layer, and read from here by the rest of Mosaic.
// (Audit actions are their own closed vocabulary: lib/audit/actions.ts.)
import { apiScopes } from "@/db/schema/api-clients";
import { alertResolutions, alertRules, alertStatuses } from "@/db/schema/audit";
import { quotaRequestStatuses, storageTiers } from "@/db/schema/capacity";
import { userStatuses } from "@/db/schema/identity";
import { restrictionReasons, ruleEffects, versionStatuses, type RestrictionReason, type RuleEffect, type StoredRule, type VersionStatus } from "@/db/schema/sharing";
import { modalities, siteStatuses, trustStatuses } from "@/db/schema/trusts";
import { deviceKinds } from "@/db/schema/devices";

export { alertResolutions, alertRules, alertStatuses, apiScopes, deviceKinds, modalities, quotaRequestStatuses, restrictionReasons, ruleEffects, siteStatuses, storageTiers, trustStatuses, userStatuses, versionStatuses };
export type { RestrictionReason, RuleEffect, StoredRule, VersionStatus };

/** Every role Mosaic knows. Portal roles use the portal; clinical roles only appear in access decisions. */
export const portalRoles = ["consortium_admin", "pacs_manager", "ig_officer", "cio"] as const;
export const clinicalRoles = ["radiologist", "reporting_radiographer", "radiographer", "clinician", "mdt_coordinator"] as const;
export const roles = [...portalRoles, ...clinicalRoles] as const;
export type Role = (typeof roles)[number];

export const roleLabels: Record<Role, string> = {
  consortium_admin: "Consortium administrator",
  pacs_manager: "PACS manager",
  ig_officer: "Information governance officer",
  cio: "Chief information officer",
  radiologist: "Radiologist",
  reporting_radiographer: "Reporting radiographer",
  radiographer: "Radiographer",
  clinician: "Clinician",
  mdt_coordinator: "MDT coordinator",
};

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

export const versionStatusLabels: Record<VersionStatus, string> = {
  draft: "Draft",
  pending_approval: "Pending approval",
  active: "Active",
  superseded: "Superseded",
  revoked: "Revoked",
};

export const restrictionReasonLabels: Record<RestrictionReason, string> = {
  objection: "Patient objection",
  safeguarding: "Safeguarding",
  vip: "VIP (high-profile patient)",
};

export type DeviceKind = (typeof deviceKinds)[number];

/** What a DICOM device is, as the devices pages say it. */
export const deviceKindLabels: Record<DeviceKind, string> = {
  modality: "Modality (scanner)",
  workstation: "Workstation",
  archive: "Archive",
  other: "Other",
};

export const decisions = ["permit", "deny", "break_glass_required"] as const;
export type DecisionOutcome = (typeof decisions)[number];
