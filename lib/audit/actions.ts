// The closed vocabulary of audit actions: each code Mosaic records, with the shape of its details.
// recordAuditEvent takes only these codes and, for each, details of this shape; lib/labels.ts has
// words for every one (tests/unit/labels.test.ts). Details are what a reader of the trail needs to
// understand the change (before/after of the fields that changed, a reason), never a secret.
// Pure: zod only, no database.
import { z } from "zod";
import { accessActions } from "./schemas";

const id = z.string();
const instant = z.string(); // ISO 8601, as toISOString() writes it
const anyRecord = z.record(z.string(), z.unknown());

/** The before and after of the fields of `shape` that changed (diffOf in record.ts). */
const change = <S extends z.ZodRawShape>(shape: S) => z.object({ before: z.object(shape).partial(), after: z.object(shape).partial() });
/** What a record looked like when it was created. */
const created = <S extends z.ZodRawShape>(shape: S) => z.object({ after: z.object(shape) });

const trustFields = { odsCode: z.string(), name: z.string(), status: z.string() };
const siteFields = { code: z.string(), name: z.string(), town: z.string().nullish(), postcode: z.string().nullish(), status: z.string() };
const departmentFields = { siteId: id, name: z.string(), modalities: z.array(z.string()), status: z.string() };
const deviceFields = {
  aeTitle: z.string(),
  siteId: id,
  departmentId: id.nullable(),
  kind: z.string(),
  modality: z.string().nullable(),
  host: z.string().nullable(),
  description: z.string(),
};
const userFields = { name: z.string(), email: z.string(), homeTrustId: id.nullable() };
const status = { status: z.string() };
const draft = z.object({ effectiveFrom: instant, effectiveUntil: instant.nullable(), changeNote: z.string(), rules: z.array(anyRecord) });
const version = { policyId: id, version: z.number().int() };
const signInDetails = anyRecord; // method, reason, failures: each sign-in path says what it checked

// What Mosaic's DICOMweb gateway adds to the access events it records (lib/dicomweb/access.ts).
const gatewayDetails = z.looseObject({ via: z.literal("dicomweb"), operation: z.string(), requestId: z.string().nullable() });

/** Every audit action and the schema of its details. */
export const auditActions = {
  // Access to images, sent by the PACS through the API or ATNA: their facts are columns, not details;
  // those recorded by the DICOMweb gateway say how the look came.
  ...(Object.fromEntries(accessActions.map((a) => [a, z.union([z.null(), gatewayDetails]).optional()])) as Record<
    (typeof accessActions)[number],
    z.ZodOptional<z.ZodUnion<[z.ZodNull, typeof gatewayDetails]>>
  >),
  "access.decision": anyRecord,
  // Sign-in and sessions (permission "public" or "self": the person acts on their own account).
  "auth.sign_in": signInDetails,
  "auth.sign_in_failed": signInDetails,
  "auth.sign_out": z.object({ sessionId: id, reason: z.string() }),
  "auth.viewer_token_issued": z.object({ sessionId: id, expiresAt: instant }),
  "auth.session_ended": z.object({ sessionId: id, reason: z.string() }),
  "auth.locked": z.object({ until: instant, failures: z.number().int() }),
  "auth.unlocked": z.object({ reason: z.enum(["lock_expired", "by_manager"]), lockedUntil: instant.optional(), before: anyRecord.optional(), after: anyRecord.optional() }),
  "auth.rate_limited": z.object({ limit: z.string(), points: z.number(), windowSeconds: z.number(), retryAfterSeconds: z.number() }),
  "auth.mfa_enrolled": z.object({ method: z.literal("totp"), recoveryCodes: z.number().int() }),
  "auth.mfa_reset": z.object({ before: z.object({ mfa: z.literal("totp") }), after: z.object({ mfa: z.null() }) }),
  "auth.sso_linked": z.object({ issuer: z.string(), subject: z.string(), matchedBy: z.string() }),
  // People and their roles.
  "user.create": z.object({ after: z.object(userFields), via: z.literal("import").optional(), line: z.number().int().optional() }),
  "user.update": change(userFields),
  "user.suspend": change(status).extend({ reason: z.string(), endedSessions: z.number().int() }),
  "user.reactivate": change(status),
  // `reason`: "leaving_date" when the jobs runner acted on a leaving date set earlier (before.leavesAt).
  "user.leaver": z.object({
    before: z.object({ status: z.string(), leavesAt: instant.optional() }).partial(),
    after: z.object({ status: z.string() }).partial(),
    reason: z.string().optional(),
    endedRoles: z.number().int(),
    endedSessions: z.number().int(),
  }),
  "user.leaving_date_set": change({ leavesAt: instant.nullable() }),
  "user.leaving_date_cleared": change({ leavesAt: instant.nullable() }),
  "user.import": z.object({ rows: z.number().int(), created: z.number().int(), granted: z.number().int(), unchanged: z.number().int(), setPasswordLinks: z.number().int().optional() }),
  "user.password_link": z.object({ purpose: z.enum(["invite", "reset"]), expiresAt: instant }),
  "user.password_set": z.object({ purpose: z.string(), endedSessions: z.number().int() }),
  "role.grant": z.object({
    assignmentId: id,
    after: z.object({ role: z.string(), trustId: id.nullable(), departmentId: id.nullable(), jobRoleCode: z.string().nullable(), validFrom: instant, validUntil: instant.nullable() }),
  }),
  "role.extend": z.object({ assignmentId: id, role: z.string(), trustId: id.nullable(), before: z.object({ validUntil: instant }), after: z.object({ validUntil: instant }) }),
  "role.revoke": z.object({
    assignmentId: id,
    role: z.string(),
    trustId: id.nullable(),
    reason: z.literal("leaver").optional(),
    before: z.object({ revokedAt: z.null() }),
    after: z.object({ revokedAt: instant }),
  }),
  // Trusts and their sites.
  "trust.create": created(trustFields),
  "trust.update": change(trustFields),
  "site.create": created(siteFields),
  "site.update": change(siteFields),
  "department.create": created(departmentFields),
  "department.update": change(departmentFields),
  // DICOM devices of a site (the archive attributes studies by their AE titles).
  "devices.create": created(deviceFields),
  "devices.update": change(deviceFields),
  "devices.retire": z.object({ aeTitle: z.string(), before: z.object({ retiredAt: z.null() }), after: z.object({ retiredAt: instant }) }),
  // The archive's studies that wait for attribution (lib/pacs): one attributed by hand, the list exported.
  "pacs.attribute": z.object({
    studyInstanceUid: z.string(),
    callingAeTitle: z.string().nullable(),
    before: z.object({ status: z.literal("unattributed"), problem: z.string().nullable() }),
    after: z.object({ status: z.literal("recorded"), trust: z.string(), site: z.string() }),
    examStored: z.boolean(),
  }),
  "pacs.unattributed_export": z.object({ filter: anyRecord, format: z.literal("csv"), rows: z.number().int() }),
  // A study looked up by accession number or UID, with its access history: who looked at the trail.
  "studies.lookup": z.object({ by: z.enum(["accession", "study"]), results: z.number().int() }),
  // The audit trail itself and its alerts: the auditors are audited.
  "audit.search": anyRecord,
  "audit.patient_report": anyRecord,
  "audit.export": anyRecord,
  "audit.verify": anyRecord,
  "alert.assign": change({ status: z.string(), assignedTo: id.nullable() }),
  "alert.note": z.object({ note: z.string() }),
  // `bulk`: how many were closed together, when closed from the queue in one go.
  "alert.close": change({ status: z.string(), resolution: z.string() }).extend({ note: z.string(), bulk: z.number().int().positive().optional() }),
  "alert.reopen": z.object({ before: z.object({ status: z.string(), resolution: z.string().nullable() }), after: z.object({ status: z.string() }), note: z.string() }),
  // Sharing.
  "sharing.policy.create": z.object({ name: z.string(), description: z.string(), version: z.literal(1), after: draft }),
  "sharing.version.edit": z.object({ ...version, before: draft, after: draft }),
  "sharing.version.create": z.object({ ...version, copiedFrom: z.number().int() }),
  "sharing.version.submit": z.object(version),
  "sharing.version.approve": z.object({ ...version, supersedes: z.array(z.number().int()), author: id.nullable() }),
  "sharing.version.return": z.object({ ...version, reason: z.string() }),
  "sharing.version.revoke": z.object({ ...version, reason: z.string() }),
  "sharing.restriction.create": z.object({ nhsNumber: z.string(), reason: z.string(), note: z.string() }),
  "sharing.restriction.lift": z.object({ nhsNumber: z.string(), reason: z.string() }),
  // Storage, the machine API and settings.
  "quota.request": z.object({ tier: z.string(), currentQuotaBytes: z.number().nullable(), requestedQuotaBytes: z.number(), reason: z.string() }),
  "quota.approve": z.object({
    tier: z.string(),
    note: z.string().nullable(),
    before: z.object({ quotaBytes: z.number().nullable() }),
    after: z.object({ quotaBytes: z.number() }),
  }),
  "quota.decline": z.object({ tier: z.string(), note: z.string().nullable() }),
  "api_client.create": created({ name: z.string(), owner: z.string(), scopes: z.array(z.string()), keyPrefix: z.string() }),
  "api_client.revoke": change(status).extend({ reason: z.string() }),
  "api_key.rotate": z.object({ newKeyPrefix: z.string(), oldKeysExpireAt: instant }),
  "api_key.revoke": z.object({ keyPrefix: z.string(), reason: z.string() }),
  "api.rate_limited": anyRecord,
  "demo.seed": anyRecord,
  "settings.update": change({ requireMfaForPortalRoles: z.boolean() }),
} as const satisfies Record<string, z.ZodType>;

export type AuditAction = keyof typeof auditActions;
/** The details an event of `action` carries, as a caller writes them. */
export type AuditDetails<A extends AuditAction> = z.input<(typeof auditActions)[A]>;

/** Every action code, for completeness checks and filters. */
export const auditActionCodes = Object.keys(auditActions) as AuditAction[];

