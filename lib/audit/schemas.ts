import { z } from "zod";
import { maxBatchItems, maxInt4, plausibleInstant } from "@/lib/limits";
import { modalities, purposes, roles } from "@/lib/vocabulary";
import { isValidNhsNumber, normaliseNhsNumber } from "@/lib/nhs-number";

export const accessActions = [
  "study.view",
  "study.query",
  "study.retrieve",
  "study.store",
  "study.download",
  "study.export",
  "study.print",
  "study.share",
  "study.modify",
  "study.delete",
  "report.view",
] as const;
export const outcomes = ["success", "denied", "failure"] as const;

const ods = z.string().regex(/^[A-Z0-9]{3,5}$/, "must be an ODS code: 3 to 5 upper-case letters and digits");

const nhsNumber = z
  .string()
  .transform(normaliseNhsNumber)
  .refine(isValidNhsNumber, "must be a 10-digit NHS number that passes the modulus-11 check");

// DICOM UIDs: dot-separated numeric components without leading zeros, at most 64 characters.
const studyInstanceUid = z
  .string()
  .max(64, "a DICOM UID has at most 64 characters")
  .regex(/^(0|[1-9]\d*)(\.(0|[1-9]\d*))+$/, "must be a DICOM UID: digits and dots, no leading zeros");

/** One access event as the PACS sends it (DESIGN.md, "Audit event"). */
export const auditEventInput = z.object({
  // Lower case, as PostgreSQL hands uuids back: the idempotency claim matches ids by their text.
  eventId: z.uuid({ error: "must be a UUID" }).transform((id) => id.toLowerCase()),
  occurredAt: plausibleInstant("must be an ISO 8601 time with an offset, e.g. 2026-05-01T09:30:00+01:00"),
  action: z.enum(accessActions, { error: `must be one of ${accessActions.join(", ")}` }),
  outcome: z.enum(outcomes, { error: "must be success, denied or failure" }),
  actor: z.object({
    user: z.email({ error: "must be the user's email" }).transform((e) => e.toLowerCase()),
    trust: ods,
    role: z.enum(roles, { error: `must be one of ${roles.join(", ")}` }),
  }),
  patient: z.object({ nhsNumber }),
  study: z.object({
    studyInstanceUid,
    accessionNumber: z.string().min(1).max(16, "a DICOM accession number has at most 16 characters").nullish(),
    sourceTrust: ods,
    modality: z.enum(modalities, { error: `must be a DICOM modality: ${modalities.join(", ")}` }),
  }),
  purpose: z.enum(purposes, { error: `must be one of ${purposes.join(", ")}` }),
  policy: z
    .object({
      id: z.uuid({ error: "must be a UUID" }),
      version: z.int({ error: "must be a whole number" }).min(1, "must be at least 1").max(maxInt4, `must be at most ${maxInt4}`),
    })
    .nullish(),
  breakGlassJustification: z.string().trim().min(10, "a break-glass justification needs at least 10 characters").max(2000).nullish(),
  source: z
    .object({
      ip: z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" }).nullish(),
      workstation: z.string().max(200).nullish(),
    })
    .nullish(),
});
export type AuditEventInput = z.output<typeof auditEventInput>;

export const auditBatchInput = z.object({
  events: z.array(auditEventInput).min(1, "send at least one event").max(maxBatchItems, `send at most ${maxBatchItems} events per batch`),
});

export const batchResult = z.object({ accepted: z.number().int(), duplicates: z.number().int() });
