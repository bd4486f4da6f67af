// The FHIR shapes Mosaic reads and writes (zod): the AuditEvent and its Bundles, and the export's
// query. Shared by the reader (from.ts), the export and the OpenAPI document.
import { z } from "zod";
import { implausibleTimeMessage, isPlausibleDateTime, maxBatchItems } from "@/lib/limits";
import { isValidNhsNumber, normaliseNhsNumber } from "@/lib/nhs-number";
import { decodeCursor } from "../search-filter";

// The FHIR shapes Mosaic reads. Structural checks only; the values are checked by the Mosaic
// schema after mapping, and its errors are reported at the FHIR element they came from.

// A FHIR dateTime: a year, a month, a day, or an instant with its offset (FHIR R4 requires one when
// there is a time). Plausible as every time the API takes (lib/limits.ts), a date as a UK day.
const fhirDateTimePattern = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/;
const fhirDateTime = z
  .string()
  .regex(fhirDateTimePattern, "must be a FHIR dateTime: YYYY, YYYY-MM, YYYY-MM-DD or an instant with its offset")
  .refine((s) => isPlausibleDateTime(s, Date.now()), implausibleTimeMessage);

const coding = z.object({ system: z.string().optional(), code: z.string().optional(), display: z.string().optional() });
const codeableConcept = z.object({ coding: z.array(coding).optional(), text: z.string().optional() });
const identifier = z.object({ system: z.string().optional(), value: z.string().optional() });
const reference = z.object({ reference: z.string().optional(), type: z.string().optional(), identifier: identifier.optional(), display: z.string().optional() });

const agent = z.object({
  type: codeableConcept.optional(),
  role: z.array(codeableConcept).optional(),
  who: reference.optional(),
  name: z.string().optional(),
  requestor: z.boolean({ error: "is required: true for the user who asked, false for the others" }),
  policy: z.array(z.string()).optional(),
  network: z.object({ address: z.string().optional(), type: z.enum(["1", "2", "3", "4", "5"], { error: "must be a network-type code, 1 to 5" }).optional() }).optional(),
  purposeOfUse: z.array(codeableConcept).optional(),
});

const entity = z.object({
  what: reference.optional(),
  type: coding.optional(),
  role: coding.optional(),
  name: z.string().optional(),
  detail: z.array(z.object({ type: z.string(), valueString: z.string().optional(), valueBase64Binary: z.string().optional() })).optional(),
});

/** One AuditEvent resource as Mosaic accepts it (FHIR R4). */
export const fhirAuditEvent = z.object({
  resourceType: z.literal("AuditEvent", { error: "must be AuditEvent" }),
  id: z.uuid({ error: "must be a UUID: Mosaic keeps it as the event id and ignores a retried event with the same id" }),
  meta: z.object({ profile: z.array(z.string()).optional(), lastUpdated: z.string().optional() }).optional(),
  type: coding,
  subtype: z.array(coding).optional(),
  action: z.enum(["C", "R", "U", "D", "E"], { error: "must be C, R, U, D or E" }).optional(),
  period: z.object({ start: fhirDateTime.optional(), end: fhirDateTime.optional() }).optional(),
  recorded: z.string({ error: "is required: when the access happened, an instant with an offset" }),
  outcome: z.enum(["0", "4", "8", "12"], { error: "is required: 0 (success), 4 (denied), 8 or 12 (failure)" }),
  outcomeDesc: z.string().optional(),
  purposeOfEvent: z.array(codeableConcept).optional(),
  agent: z.array(agent, { error: "is required: the user, their organisation and the custodian of the images" }).min(1, "needs at least the user"),
  source: z.object({ site: z.string().optional(), observer: reference, type: z.array(coding).optional() }, { error: "is required: the system that recorded the event" }),
  entity: z.array(entity, { error: "is required: the patient and the study" }).optional(),
});

/** A Bundle of AuditEvents (batch or collection) as Mosaic accepts it. */
const fhirAuditBundle = z.object({
  resourceType: z.literal("Bundle"),
  type: z.enum(["batch", "collection"], { error: "must be batch or collection" }),
  entry: z
    .array(
      z.object({
        fullUrl: z.string().optional(),
        resource: fhirAuditEvent,
        request: z.object({ method: z.string(), url: z.string() }).optional(),
      }),
      { error: "is required: the AuditEvents" },
    )
    .min(1, "send at least one AuditEvent")
    .max(maxBatchItems, `send at most ${maxBatchItems} AuditEvents per Bundle`),
});

/** The body of a FHIR POST: one AuditEvent, or a Bundle of them. */
export const fhirAuditInput = z.discriminatedUnion("resourceType", [fhirAuditBundle, fhirAuditEvent], {
  error: "resourceType must be Bundle or AuditEvent",
});


/** The OpenAPI shape of a searchset Bundle (the document describes it; to.ts builds it). */
export const fhirSearchsetBundle = z.object({
  resourceType: z.literal("Bundle"),
  type: z.literal("searchset"),
  link: z.array(z.object({ relation: z.enum(["self", "next"]), url: z.string() })),
  entry: z.array(z.object({ fullUrl: z.string(), resource: fhirAuditEvent, search: z.object({ mode: z.literal("match") }) })),
});

/** The query of the FHIR export: patient required, a time window, a page size and a keyset cursor. */
export const fhirExportQuery = z.object({
  patient: z
    .string({ error: "is required: the patient's NHS number" })
    .transform(normaliseNhsNumber)
    .refine(isValidNhsNumber, "must be a 10-digit NHS number that passes the modulus-11 check"),
  from: z.iso.date({ error: "must be a date, YYYY-MM-DD" }).optional().describe("Events on or after this date (UTC)"),
  to: z.iso.date({ error: "must be a date, YYYY-MM-DD" }).optional().describe("Events up to the end of this date (UTC)"),
  _count: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(1_000, "must be at most 1000").default(100),
  cursor: z
    .string()
    .max(200)
    .refine((c) => decodeCursor(c) !== null, "is not a cursor this API gave: follow the Bundle's next link")
    .optional()
    .describe("Where the next page starts: follow the Bundle's next link"),
});
export type FhirExportQuery = z.output<typeof fhirExportQuery>;
