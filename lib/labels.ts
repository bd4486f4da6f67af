// The words people read for Mosaic's codes. Every code that reaches a page goes through one of
// these functions, so that `study.view`, `permitted_by_rule` or `ig_officer` never appear raw.
// Pure: constants and functions only, shared by server pages and client components.
// A code with no label (a value from an older release, a typo in stored data) reads as itself
// rather than disappearing.

// Type-only imports from modules that reach db/ or zod: this module is bundled for the browser too.
import type { alertResolutions, alertRules, alertStatuses } from "@/lib/vocabulary";
import type { AuditAction } from "@/lib/audit/actions";
import type { outcomes } from "@/lib/audit/schemas";
import type { ApiScope } from "@/lib/api-clients/schemas";
import type { Forecast } from "@/lib/capacity/forecast";
import type { StorageTier } from "@/lib/capacity/schemas";
import type { quotaRequestStatuses } from "@/lib/vocabulary";
import type { ReasonCode } from "@/lib/sharing/engine";
import { purposeLabels, restrictionReasonLabels, versionStatusLabels, type DecisionOutcome, type Purpose, type RestrictionReason, type RuleEffect, type VersionStatus, roleLabels, type Role } from "@/lib/vocabulary";
import type { siteStatuses, trustStatuses } from "@/lib/vocabulary";
import type { modalities } from "@/lib/vocabulary";
import type { userStatuses } from "@/lib/vocabulary";

type Labels<K extends string> = Readonly<Record<K, string>>;

// Object.hasOwn: a code such as "constructor" or "__proto__" must not find a label on the prototype.
const lookup =
  <K extends string>(labels: Labels<K>) =>
  (code: string | null | undefined): string =>
    code == null ? "" : Object.hasOwn(labels, code) ? labels[code as K] : code;

/** What each audit action records, as the audit table, the user history and alerts say it. */
export const actionLabels = {
  // Access to images, sent by the PACS (lib/audit/schemas.ts accessActions).
  "study.view": "Viewed a study",
  "study.query": "Searched for studies",
  "study.retrieve": "Retrieved a study",
  "study.store": "Stored images",
  "study.download": "Downloaded a study",
  "study.export": "Exported a study",
  "study.print": "Printed a study",
  "study.share": "Shared a study",
  "study.modify": "Changed a study",
  "study.delete": "Deleted a study",
  "report.view": "Viewed a report",
  "access.decision": "Access decision",
  // Sign-in and accounts.
  "auth.sign_in": "Signed in",
  "auth.sign_in_failed": "Sign-in failed",
  "auth.sign_out": "Signed out",
  "auth.viewer_token_issued": "Got a viewer token",
  "auth.session_ended": "Session ended",
  "auth.locked": "Locked after failed sign-ins",
  "auth.unlocked": "Lock ended",
  "auth.rate_limited": "Too many sign-in attempts",
  "auth.mfa_enrolled": "Set up two-step verification",
  "auth.mfa_reset": "Two-step verification reset",
  "auth.sso_linked": "Linked to NHS single sign-on",
  "user.create": "Account created",
  "user.update": "Details changed",
  "user.suspend": "Suspended",
  "user.reactivate": "Reactivated",
  "user.leaver": "Marked as leaver",
  "user.leaving_date_set": "Leaving date set",
  "user.leaving_date_cleared": "Leaving date cleared",
  "user.import": "Users imported",
  "user.password_link": "Set-password link made",
  "user.password_set": "Password set",
  "role.grant": "Role granted",
  "role.revoke": "Role ended",
  "role.extend": "Role extended",
  // Trusts and their sites.
  "trust.create": "Trust added",
  "trust.update": "Trust changed",
  "site.create": "Site added",
  "site.update": "Site changed",
  "department.create": "Department added",
  "department.update": "Department changed",
  "devices.create": "DICOM device registered",
  "devices.update": "DICOM device changed",
  "devices.retire": "DICOM device retired",
  "pacs.attribute": "Study attributed by hand",
  "pacs.unattributed_export": "Unattributed studies exported",
  "studies.lookup": "Looked up a study",
  // The audit trail itself and its alerts.
  "audit.search": "Searched the audit trail",
  "audit.patient_report": "Viewed a patient's access report",
  "audit.export": "Exported audit events",
  "audit.verify": "Checked the audit chain",
  "alert.assign": "Alert assigned",
  "alert.note": "Note added to alert",
  "alert.close": "Alert closed",
  "alert.reopen": "Alert reopened",
  // Sharing.
  "sharing.policy.create": "Sharing policy created",
  "sharing.version.edit": "Policy draft edited",
  "sharing.version.create": "New policy version drafted",
  "sharing.version.submit": "Policy sent for approval",
  "sharing.version.approve": "Policy approved",
  "sharing.version.return": "Policy returned to draft",
  "sharing.version.revoke": "Policy revoked",
  "sharing.restriction.create": "Patient restricted",
  "sharing.restriction.lift": "Patient restriction lifted",
  // Storage, the machine API and settings.
  "quota.request": "Quota change requested",
  "quota.approve": "Quota change approved",
  "quota.decline": "Quota change declined",
  "api_client.create": "API client created",
  "api_client.revoke": "API client revoked",
  "api_key.rotate": "API key rotated",
  "api_key.revoke": "API key revoked",
  "api.rate_limited": "API calls over the limit",
  "settings.update": "Settings changed",
  "demo.seed": "Demo data loaded",
} as const satisfies Record<AuditAction, string>;
export const actionLabel = lookup<string>(actionLabels);

export const outcomeLabels: Labels<(typeof outcomes)[number]> = { success: "Succeeded", denied: "Refused", failure: "Failed" };
export const outcomeLabel = lookup(outcomeLabels);

export const purposeLabel = lookup<Purpose>(purposeLabels);
export const roleLabel = lookup<Role>(roleLabels);
export const versionStatusLabel = lookup<VersionStatus>(versionStatusLabels);
export const restrictionReasonLabel = lookup<RestrictionReason>(restrictionReasonLabels);

export const ruleEffectLabels: Labels<RuleEffect> = { permit: "Permit", deny: "Deny" };
export const ruleEffectLabel = lookup(ruleEffectLabels);

export const decisionLabels: Labels<DecisionOutcome> = { permit: "Permit", deny: "Deny", break_glass_required: "Break-glass required" };
export const decisionLabel = lookup(decisionLabels);

/** Why the sharing engine decided as it did (lib/sharing/engine.ts ReasonCode). */
export const reasonLabels: Labels<ReasonCode> = {
  same_trust: "Same trust",
  unknown_user: "Unknown user",
  user_inactive: "Account not active",
  no_role_at_trust: "No role at the requesting trust",
  permitted_by_rule: "Allowed by a rule",
  denied_by_rule: "Refused by a rule",
  no_permitting_rule: "No rule allows it",
  patient_restricted: "Patient restricted",
  break_glass_available: "Break-glass available",
  break_glass: "Break-glass used",
};
export const reasonLabel = lookup(reasonLabels);

export const alertRuleLabels: Labels<(typeof alertRules)[number]> = {
  break_glass: "Break-glass access",
  no_legitimate_basis: "Cross-trust access with no policy",
  inactive_user: "Access by a suspended or departed user",
  restricted_patient: "Access to a restricted patient",
  unusual_volume: "Far more patients than usual",
  out_of_hours: "Night-time access",
  storage_quota: "Store refused: online storage full",
};
export const alertRuleLabel = lookup(alertRuleLabels);

export const alertStatusLabels: Labels<(typeof alertStatuses)[number]> = { open: "Open", assigned: "Assigned", closed: "Closed" };
const alertStatusLabel = lookup(alertStatusLabels);

export const resolutionLabels: Labels<(typeof alertResolutions)[number]> = {
  legitimate: "Legitimate: no further action",
  false_positive: "False positive",
  misuse_referred: "Possible misuse: referred for investigation",
  training_needed: "Training or advice given",
};
export const resolutionLabel = lookup(resolutionLabels);

export const severities = ["high", "medium", "low"] as const;
export const severityLabels: Labels<(typeof severities)[number]> = { high: "High", medium: "Medium", low: "Low" };
export const severityLabel = lookup(severityLabels);

/** DICOM modality codes and what people call them. */
export const modalityLabels: Labels<(typeof modalities)[number]> = {
  CT: "Computed tomography",
  MR: "Magnetic resonance",
  CR: "Computed radiography",
  DX: "Digital X-ray",
  US: "Ultrasound",
  MG: "Mammography",
  NM: "Nuclear medicine",
  PT: "PET",
  XA: "X-ray angiography",
  RF: "Fluoroscopy",
};
export const modalityLabel = lookup(modalityLabels);

export const userStatusLabels: Labels<(typeof userStatuses)[number]> = { active: "Active", suspended: "Suspended", left: "Leaver" };
export const userStatusLabel = lookup(userStatusLabels);

export const trustStatusLabels: Labels<(typeof trustStatuses)[number]> = { onboarding: "Onboarding", active: "Active", offboarded: "Offboarded" };
export const trustStatusLabel = lookup(trustStatusLabels);

export const siteStatusLabels: Labels<(typeof siteStatuses)[number]> = { active: "Active", closed: "Closed" };
export const siteStatusLabel = lookup(siteStatusLabels);

export const quotaRequestStatusLabels: Labels<(typeof quotaRequestStatuses)[number]> = { pending: "Pending", approved: "Approved", declined: "Declined" };
export const quotaRequestStatusLabel = lookup(quotaRequestStatusLabels);

export const storageTierLabels: Labels<StorageTier> = { online: "online", archive: "archive" };
export const storageTierLabel = lookup(storageTierLabels);

const forecastStatusLabels: Labels<Forecast["status"]> = {
  "insufficient-data": "Not enough data to forecast",
  exhausted: "Quota already used up",
  "not-growing": "Not growing",
  projected: "Will run out",
};
export const forecastStatusLabel = lookup(forecastStatusLabels);

export const apiScopeLabels: Labels<ApiScope> = {
  "audit:write": "Send audit events",
  "audit:read": "Export audit events (FHIR)",
  "exams:write": "Send exams",
  "storage:write": "Send storage usage",
  "decisions:read": "Ask for access decisions",
};
export const apiScopeLabel = lookup(apiScopeLabels);

export const apiClientStatusLabels: Labels<"active" | "revoked"> = { active: "Active", revoked: "Revoked" };
export const apiClientStatusLabel = lookup(apiClientStatusLabels);

/** What an audit event is about when it is not a study (audit_events.target_type). */
const targetTypeLabels: Labels<string> = {
  api_client: "API client",
  audit_alert: "Alert",
  department: "Department",
  dicom_device: "DICOM device",
  patient_restriction: "Patient restriction",
  quota_change_request: "Quota request",
  sharing_policy: "Sharing policy",
  sharing_policy_version: "Sharing policy version",
  site: "Site",
  study: "Study",
  trust: "Trust",
  user: "User",
};
export const targetTypeLabel = lookup(targetTypeLabels);

/** An alert's status in words, naming who works it only while it is being worked ("Assigned to …"). */
export function alertStatusText(status: string, assignee: string | null | undefined): string {
  if (!assignee) return alertStatusLabel(status);
  if (status === "closed") return `Closed (worked by ${assignee})`;
  return `${alertStatusLabel(status)} to ${assignee}`;
}
