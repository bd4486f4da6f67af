// FHIR R4 AuditEvent, shaped as the IHE Basic Audit Log Patterns (BALP) profiles shape a read or a
// query of a patient's record, mapped to and from Mosaic's own event (lib/audit/schemas.ts).
// Pure functions: no database. The route turns an accepted resource into the Mosaic event and
// hands it to the same ingest as the JSON API, so both doors share one set of rules.
//
// The mapping, element by element (BALP slice names in brackets):
//   id                          ↔ eventId (a UUID: the idempotency key)
//   type                        = audit-event-type#rest (BALP); a DICOM event ID there is understood too
//   subtype                     = restful-interaction (read, search-type, update, delete),
//                                 DICOM event ID (110103 instances accessed, 110112 query, …),
//                                 and Mosaic's action code, which decides when present
//   action                      ← R, E, U or D from the action
//   recorded                    ↔ occurredAt (when the access happened, as the PACS recorded it)
//   outcome                     ↔ 0 success, 4 denied, 8 failure (12 is read as failure)
//   agent[user]   IRCP          ↔ actor.user (who.identifier mailto:), actor.role (role), purpose and
//                                 break-glass (purposeOfUse, BTG with the justification as its text),
//                                 policy (policy: the sharing policy version's URI); requestor = true
//   agent[organisation] PROV    ↔ actor.trust (ODS code)
//   agent[custodian] CST        ↔ study.sourceTrust (ODS code of the trust that controls the images)
//   agent[client] DCM 110152    ↔ source.ip (network, type 2) and source.workstation (who.display)
//   source                      = the observer that recorded the event (the sending system on input)
//   entity[patient]             ↔ patient.nhsNumber (what.identifier, system https://fhir.nhs.uk/Id/nhs-number)
//   entity[data]                ↔ study (what.identifier urn:dicom:uid / urn:oid:<UID>; details
//                                 AccessionNumber and Modality, as DICOM names those attributes)
import { z } from "zod";
import { implausibleTimeMessage, isPlausibleDateTime, maxBatchItems } from "@/lib/limits";
import { roles, purposes } from "@/lib/vocabulary";
import { isValidNhsNumber, normaliseNhsNumber } from "@/lib/nhs-number";
import { accessActions, auditEventInput, type AuditEventInput } from "./schemas";
import { decodeCursor } from "./search-filter";
import type { ApiIssue } from "@/lib/api-issues";

export const fhirContentType = "application/fhir+json";

// Terminology. The HL7, DICOM and NHS systems are the standard ones; Mosaic's own codes live under
// one base so that a receiver can tell them apart.
export const systems = {
  auditEventType: "http://terminology.hl7.org/CodeSystem/audit-event-type",
  restfulInteraction: "http://hl7.org/fhir/restful-interaction",
  dicom: "http://dicom.nema.org/resources/ontology/DCM",
  participationType: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
  roleClass: "http://terminology.hl7.org/CodeSystem/v3-RoleClass",
  actReason: "http://terminology.hl7.org/CodeSystem/v3-ActReason",
  entityType: "http://terminology.hl7.org/CodeSystem/audit-entity-type",
  objectRole: "http://terminology.hl7.org/CodeSystem/object-role",
  sourceType: "http://terminology.hl7.org/CodeSystem/security-source-type",
  nhsNumber: "https://fhir.nhs.uk/Id/nhs-number",
  odsCode: "https://fhir.nhs.uk/Id/ods-organization-code",
  dicomUid: "urn:dicom:uid",
  uri: "urn:ietf:rfc:3986",
  mosaicAction: "https://mosaic.example/fhir/CodeSystem/audit-action",
  mosaicRole: "https://mosaic.example/fhir/CodeSystem/role",
  mosaicPurpose: "https://mosaic.example/fhir/CodeSystem/purpose-of-use",
} as const;

/** The URI of a sharing policy version, as agent.policy carries it. */
const policyUriPrefix = "https://mosaic.example/fhir/sharing-policy/";
const policyUriPattern = /^https:\/\/mosaic\.example\/fhir\/sharing-policy\/([0-9a-f-]{36})\/_history\/(\d+)$/i;
const policyUri = (policy: { id: string; version: number }) => `${policyUriPrefix}${policy.id}/_history/${policy.version}`;

type Coding = { system?: string; code?: string; display?: string };

const dicomEvents = {
  accessed: { system: systems.dicom, code: "110103", display: "DICOM Instances Accessed" },
  transferred: { system: systems.dicom, code: "110104", display: "DICOM Instances Transferred" },
  exported: { system: systems.dicom, code: "110106", display: "Export" },
  patientRecord: { system: systems.dicom, code: "110110", display: "Patient Record" },
  query: { system: systems.dicom, code: "110112", display: "Query" },
} satisfies Record<string, Coding>;

type Interaction = "create" | "read" | "search-type" | "update" | "delete";

/** How each Mosaic action reads in FHIR: its REST interaction (BALP), DICOM event ID and action code. */
const actionCodes: Record<(typeof accessActions)[number], { interaction: Interaction; dicom: Coding; action: "C" | "R" | "E" | "U" | "D" }> = {
  "study.view": { interaction: "read", dicom: dicomEvents.accessed, action: "R" },
  "study.query": { interaction: "search-type", dicom: dicomEvents.query, action: "E" },
  "study.retrieve": { interaction: "read", dicom: dicomEvents.transferred, action: "R" },
  "study.store": { interaction: "create", dicom: dicomEvents.transferred, action: "C" },
  "study.download": { interaction: "read", dicom: dicomEvents.exported, action: "R" },
  "study.export": { interaction: "read", dicom: dicomEvents.exported, action: "R" },
  "study.print": { interaction: "read", dicom: dicomEvents.exported, action: "R" },
  "study.share": { interaction: "read", dicom: dicomEvents.transferred, action: "R" },
  "study.modify": { interaction: "update", dicom: dicomEvents.accessed, action: "U" },
  "study.delete": { interaction: "delete", dicom: dicomEvents.accessed, action: "D" },
  "report.view": { interaction: "read", dicom: dicomEvents.patientRecord, action: "R" },
};

/** Purposes as HL7 v3 PurposeOfUse codes; one code each, so either side reads back the same. */
const purposeCodes: Record<(typeof purposes)[number], { code: string; display: string }> = {
  direct_care: { code: "TREAT", display: "treatment" },
  mdt: { code: "COC", display: "coordination of care" },
  emergency: { code: "ETREAT", display: "emergency treatment" },
  clinical_audit: { code: "HQUALIMP", display: "health quality improvement" },
  teaching: { code: "TRAIN", display: "training" },
  research: { code: "HRESCH", display: "healthcare research" },
};

const outcomeCodes = { success: "0", denied: "4", failure: "8" } as const;
const outcomeOfCode: Record<string, AuditEventInput["outcome"]> = { "0": "success", "4": "denied", "8": "failure", "12": "failure" };

const agentTypes = {
  user: { system: systems.participationType, code: "IRCP", display: "information recipient" },
  organisation: { system: systems.roleClass, code: "PROV", display: "healthcare provider" },
  custodian: { system: systems.participationType, code: "CST", display: "custodian" },
  client: { system: systems.dicom, code: "110152", display: "Destination Role ID" },
} satisfies Record<string, Coding>;

// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
// Mosaic → FHIR

/** An access event as Mosaic holds it; what the JSON API accepts fits, and so does a stored row. */
export type MosaicAccessEvent = {
  eventId: string;
  occurredAt: string;
  action: string;
  outcome: string;
  actor: { user: string | null; trust: string | null; role: string | null };
  patient: { nhsNumber: string } | null;
  study: { studyInstanceUid: string | null; accessionNumber?: string | null; sourceTrust: string | null; modality: string | null } | null;
  purpose: string | null;
  policy?: { id: string; version: number } | null;
  breakGlassJustification?: string | null;
  source?: { ip?: string | null; workstation?: string | null } | null;
};

const codingOf = (c: Coding) => ({ system: c.system, code: c.code, ...(c.display ? { display: c.display } : {}) });
const organisation = (ods: string) => ({ type: "Organization", identifier: { system: systems.odsCode, value: ods } });

/**
 * The FHIR R4 AuditEvent of a Mosaic access event, in the BALP pattern. `recordedAt` (when Mosaic
 * stored it) goes in meta.lastUpdated; `observer` names the system that recorded it.
 */
export function toFhirAuditEvent(event: MosaicAccessEvent, extras: { recordedAt?: Date; observer?: string } = {}): Record<string, unknown> {
  const codes = actionCodes[event.action as keyof typeof actionCodes] as (typeof actionCodes)[keyof typeof actionCodes] | undefined;
  const purpose = purposeCodes[event.purpose as keyof typeof purposeCodes] as { code: string; display: string } | undefined;
  const purposeOfUse = [
    ...(event.purpose
      ? [{ coding: [...(purpose ? [{ system: systems.actReason, ...purpose }] : []), { system: systems.mosaicPurpose, code: event.purpose }] }]
      : []),
    ...(event.breakGlassJustification ? [{ coding: [{ system: systems.actReason, code: "BTG", display: "break the glass" }], text: event.breakGlassJustification }] : []),
  ];

  const agents: Record<string, unknown>[] = [
    {
      type: { coding: [codingOf(agentTypes.user)] },
      ...(event.actor.role ? { role: [{ coding: [{ system: systems.mosaicRole, code: event.actor.role }] }] } : {}),
      ...(event.actor.user ? { who: { identifier: { system: systems.uri, value: `mailto:${event.actor.user}` }, display: event.actor.user } } : {}),
      requestor: true,
      ...(event.policy ? { policy: [policyUri(event.policy)] } : {}),
      ...(purposeOfUse.length ? { purposeOfUse } : {}),
    },
  ];
  if (event.actor.trust) agents.push({ type: { coding: [codingOf(agentTypes.organisation)] }, who: organisation(event.actor.trust), requestor: false });
  if (event.study?.sourceTrust) agents.push({ type: { coding: [codingOf(agentTypes.custodian)] }, who: organisation(event.study.sourceTrust), requestor: false });
  if (event.source?.ip || event.source?.workstation) {
    agents.push({
      type: { coding: [codingOf(agentTypes.client)] },
      ...(event.source.workstation ? { who: { display: event.source.workstation } } : {}),
      requestor: false,
      ...(event.source.ip ? { network: { address: event.source.ip, type: "2" } } : {}),
    });
  }

  const entities: Record<string, unknown>[] = [];
  if (event.patient) {
    entities.push({
      what: { type: "Patient", identifier: { system: systems.nhsNumber, value: event.patient.nhsNumber } },
      type: { system: systems.entityType, code: "1", display: "Person" },
      role: { system: systems.objectRole, code: "1", display: "Patient" },
    });
  }
  if (event.study?.studyInstanceUid) {
    const detail = [
      ...(event.study.accessionNumber ? [{ type: "AccessionNumber", valueString: event.study.accessionNumber }] : []),
      ...(event.study.modality ? [{ type: "Modality", valueString: event.study.modality }] : []),
    ];
    entities.push({
      what: { type: "ImagingStudy", identifier: { system: systems.dicomUid, value: `urn:oid:${event.study.studyInstanceUid}` } },
      type: { system: systems.entityType, code: "2", display: "System Object" },
      role: { system: systems.objectRole, code: "3", display: "Report" },
      ...(detail.length ? { detail } : {}),
    });
  }

  return {
    resourceType: "AuditEvent",
    id: event.eventId,
    ...(extras.recordedAt ? { meta: { lastUpdated: extras.recordedAt.toISOString() } } : {}),
    type: { system: systems.auditEventType, code: "rest", display: "Restful Operation" },
    subtype: [
      ...(codes ? [{ system: systems.restfulInteraction, code: codes.interaction }, codingOf(codes.dicom)] : []),
      { system: systems.mosaicAction, code: event.action },
    ],
    action: codes?.action ?? "E",
    recorded: event.occurredAt,
    outcome: outcomeCodes[event.outcome as keyof typeof outcomeCodes] ?? "8",
    agent: agents,
    source: { observer: { display: extras.observer ?? "Mosaic" }, type: [{ system: systems.sourceType, code: "4", display: "Application Server" }] },
    ...(entities.length ? { entity: entities } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// FHIR → Mosaic

/** A problem with one element of a FHIR body: its path from the resource, and what is wrong. */
export type FhirIssue = { path: string; message: string };

type Parsed = z.output<typeof fhirAuditEvent>;

const has = (c: { system?: string; code?: string } | undefined, want: Coding) => c?.system === want.system && c?.code === want.code;
const codings = (cc: { coding?: Coding[] } | undefined) => cc?.coding ?? [];
const indexWhere = <T>(items: readonly T[] | undefined, test: (item: T) => boolean) => (items ?? []).findIndex(test);

/** The Mosaic action a resource describes: Mosaic's own subtype first, then DICOM, then BALP's REST interaction. */
function actionOf(r: Parsed): { action?: string; path: string } {
  const subtypes = r.subtype ?? [];
  const own = subtypes.findIndex((c) => c.system === systems.mosaicAction);
  if (own >= 0) return { action: subtypes[own]?.code, path: `subtype.${own}.code` };
  const dicom = [r.type, ...subtypes].find((c) => c.system === systems.dicom)?.code;
  const verb = r.action ?? "R";
  const byDicom: Record<string, string | undefined> = {
    "110103": verb === "U" || verb === "C" ? "study.modify" : verb === "D" ? "study.delete" : "study.view",
    "110104": "study.retrieve",
    "110106": "study.export",
    "110110": "report.view",
    "110112": "study.query",
  };
  if (dicom && byDicom[dicom]) return { action: byDicom[dicom], path: "type" };
  const rest = subtypes.find((c) => c.system === systems.restfulInteraction)?.code;
  const byRest: Record<string, string> = { read: "study.view", vread: "study.view", "search-type": "study.query", search: "study.query", "search-system": "study.query", update: "study.modify", patch: "study.modify", delete: "study.delete" };
  if (rest && byRest[rest]) return { action: byRest[rest], path: "subtype" };
  return { path: "subtype" };
}

/**
 * Reads one AuditEvent (already structurally valid) into the Mosaic event shape, before Mosaic's
 * own checks. `origin` says which FHIR element each Mosaic field came from, so that an error in a
 * value is reported where the sender put it.
 */
function fromFhirAuditEvent(r: Parsed): { candidate: Record<string, unknown>; origin: Record<string, string>; issues: FhirIssue[] } {
  const issues: FhirIssue[] = [];
  const origin: Record<string, string> = { eventId: "id", occurredAt: "recorded", outcome: "outcome" };
  const agents = r.agent;

  const { action, path: actionPath } = actionOf(r);
  origin.action = actionPath;
  if (!action) issues.push({ path: "subtype", message: `says no action Mosaic knows: send a subtype from ${systems.mosaicAction}, a DICOM event ID (110103, 110104, 110106, 110110, 110112) or a BALP RESTful interaction (read, search-type, update, delete)` });

  const ofType = (t: Coding) => indexWhere(agents, (a) => codings(a.type).some((c) => has(c, t)));
  let userIndex = ofType(agentTypes.user);
  if (userIndex < 0) userIndex = indexWhere(agents, (a) => a.requestor && a.who?.identifier?.value !== undefined);
  const user = agents[userIndex];
  let email: string | undefined;
  if (!user) {
    issues.push({ path: "agent", message: "needs the user: an agent of type IRCP (information recipient) with requestor true and who.identifier their email" });
  } else {
    const value = user.who?.identifier?.value;
    if (value === undefined) issues.push({ path: `agent.${userIndex}.who.identifier.value`, message: "is required: the user's email (mailto:<email>)" });
    email = value?.replace(/^mailto:/i, "");
    origin["actor.user"] = `agent.${userIndex}.who.identifier.value`;
  }

  let role: string | undefined;
  if (user) {
    const roleCodings = (user.role ?? []).flatMap((cc, i) => codings(cc).map((c) => ({ c, i })));
    const found = roleCodings.find(({ c }) => c.system === systems.mosaicRole) ?? roleCodings.find(({ c }) => (roles as readonly string[]).includes(c.code ?? ""));
    role = found?.c.code;
    origin["actor.role"] = found ? `agent.${userIndex}.role.${found.i}` : `agent.${userIndex}.role`;
    if (!found) issues.push({ path: `agent.${userIndex}.role`, message: `is required: the user's role, coded in ${systems.mosaicRole} (${roles.join(", ")})` });
  }

  const odsOf = (t: Coding, field: string, what: string) => {
    const i = ofType(t);
    const value = agents[i]?.who?.identifier?.value;
    if (i < 0) issues.push({ path: "agent", message: `needs ${what}: an agent of type ${t.code} (${t.display}) whose who.identifier is an ODS code (${systems.odsCode})` });
    else if (value === undefined) issues.push({ path: `agent.${i}.who.identifier.value`, message: `is required: the ODS code of ${what}` });
    origin[field] = i < 0 ? "agent" : `agent.${i}.who.identifier.value`;
    return value;
  };
  const actorTrust = odsOf(agentTypes.organisation, "actor.trust", "the user's organisation");
  const sourceTrust = odsOf(agentTypes.custodian, "study.sourceTrust", "the custodian of the images (the trust whose study it is)");

  // Purpose and break-glass: on the user agent as BALP puts them, or on the event.
  const purposeSources = [
    ...(user?.purposeOfUse ?? []).map((cc, i) => ({ cc, path: `agent.${userIndex}.purposeOfUse.${i}` })),
    ...(r.purposeOfEvent ?? []).map((cc, i) => ({ cc, path: `purposeOfEvent.${i}` })),
  ];
  let purpose: string | undefined;
  let breakGlass: string | null = null;
  for (const { cc, path } of purposeSources) {
    if (codings(cc).some((c) => c.system === systems.actReason && c.code === "BTG")) {
      origin.breakGlassJustification = `${path}.text`;
      if (!cc.text) issues.push({ path: `${path}.text`, message: "is required with BTG: the break-glass justification" });
      breakGlass = cc.text ?? null;
      continue;
    }
    if (purpose) continue;
    const own = codings(cc).find((c) => c.system === systems.mosaicPurpose)?.code;
    const v3 = codings(cc).find((c) => c.system === systems.actReason)?.code;
    const mapped = own ?? Object.entries(purposeCodes).find(([, p]) => p.code === v3)?.[0];
    if (mapped) {
      purpose = mapped;
      origin.purpose = path;
    }
  }
  if (!purpose) {
    origin.purpose ??= user ? `agent.${userIndex}.purposeOfUse` : "purposeOfEvent";
    issues.push({ path: origin.purpose, message: `is required: the purpose of use, as v3-ActReason ${Object.values(purposeCodes).map((p) => p.code).join(", ")} or Mosaic's ${purposes.join(", ")}` });
  }

  // The sharing policy version, among whatever else agent.policy carries (BALP puts token ids there too).
  let policy: { id: string; version: number } | null = null;
  (user?.policy ?? []).forEach((uri, i) => {
    const m = policyUriPattern.exec(uri);
    if (m && !policy) {
      policy = { id: m[1]!.toLowerCase(), version: Number(m[2]) };
      origin["policy.id"] = origin["policy.version"] = `agent.${userIndex}.policy.${i}`;
    }
  });

  const clientIndex = ofType(agentTypes.client);
  const client = agents[clientIndex];
  const source = client && (client.network?.address || client.who?.display) ? { ip: client.network?.address ?? null, workstation: client.who?.display ?? null } : null;
  origin["source.ip"] = `agent.${clientIndex}.network.address`;
  origin["source.workstation"] = `agent.${clientIndex}.who.display`;

  const entities = r.entity ?? [];
  let patientIndex = indexWhere(entities, (e) => e.what?.identifier?.system === systems.nhsNumber);
  if (patientIndex < 0) patientIndex = indexWhere(entities, (e) => has(e.role, { system: systems.objectRole, code: "1" }));
  const nhsNumber = entities[patientIndex]?.what?.identifier?.value;
  origin["patient.nhsNumber"] = `entity.${patientIndex}.what.identifier.value`;
  if (patientIndex < 0) issues.push({ path: "entity", message: `needs the patient: an entity whose what.identifier has system ${systems.nhsNumber}` });
  else if (entities[patientIndex]?.what?.identifier?.system !== systems.nhsNumber || nhsNumber === undefined) {
    issues.push({ path: `entity.${patientIndex}.what.identifier`, message: `must be the NHS number, with system ${systems.nhsNumber}` });
  }

  let studyIndex = indexWhere(entities, (e) => e.what?.identifier?.system === systems.dicomUid);
  if (studyIndex < 0) studyIndex = indexWhere(entities, (e) => e.what?.type === "ImagingStudy");
  const study = entities[studyIndex];
  const uidValue = study?.what?.identifier?.value;
  origin["study.studyInstanceUid"] = `entity.${studyIndex}.what.identifier.value`;
  if (!study) issues.push({ path: "entity", message: `needs the study: an entity whose what.identifier has system ${systems.dicomUid} and value urn:oid:<Study Instance UID>` });
  else if (!uidValue?.startsWith("urn:oid:")) issues.push({ path: `entity.${studyIndex}.what.identifier.value`, message: "must be urn:oid: followed by the Study Instance UID" });
  const detailOf = (type: string, field: string) => {
    const j = indexWhere(study?.detail, (d) => d.type === type);
    origin[field] = j < 0 ? `entity.${studyIndex}.detail` : `entity.${studyIndex}.detail.${j}.valueString`;
    return j < 0 ? undefined : study?.detail?.[j]?.valueString;
  };
  const accessionNumber = detailOf("AccessionNumber", "study.accessionNumber") ?? null;
  const modality = detailOf("Modality", "study.modality");
  if (study && modality === undefined) issues.push({ path: `entity.${studyIndex}.detail`, message: "needs the study's modality: a detail of type Modality with a DICOM modality code as valueString" });

  const candidate = {
    eventId: r.id,
    occurredAt: r.recorded,
    action,
    outcome: outcomeOfCode[r.outcome],
    actor: { user: email, trust: actorTrust, role },
    patient: { nhsNumber },
    study: { studyInstanceUid: uidValue?.replace(/^urn:oid:/, ""), accessionNumber, sourceTrust, modality },
    purpose,
    policy,
    breakGlassJustification: breakGlass,
    source,
  };
  return { candidate, origin, issues };
}

/** The FHIR element a Mosaic schema error points at, by the longest Mosaic path that has an origin. */
function fhirPathOf(mosaicPath: (string | number | symbol)[], origin: Record<string, string>): string {
  for (let n = mosaicPath.length; n > 0; n--) {
    const key = mosaicPath.slice(0, n).map(String).join(".");
    if (origin[key]) return origin[key];
  }
  return "(resource)";
}

/** Reads and checks one AuditEvent; issues name the element of the resource that is wrong. */
export function readFhirAuditEvent(resource: Parsed): { ok: true; event: AuditEventInput; origin: Record<string, string> } | { ok: false; issues: FhirIssue[] } {
  const { candidate, origin, issues } = fromFhirAuditEvent(resource);
  if (issues.length) return { ok: false, issues };
  const parsed = auditEventInput.safeParse(candidate);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => ({ path: fhirPathOf(i.path, origin), message: i.message })) };
  return { ok: true, event: parsed.data, origin };
}

/**
 * A place in a FHIR body as the API names it: in a Bundle, the entry's index as `item` and the
 * element within its resource as `field` ("entry.3.resource.agent.0.name" → item 3, "agent.0.name").
 */
export function fhirIssueAt(path: string[], message: string): ApiIssue {
  const isEntry = path[0] === "entry" && /^\d+$/.test(path[1] ?? "");
  const field = (isEntry ? path.slice(path[2] === "resource" ? 3 : 2) : path).join(".") || (isEntry ? "resource" : "(body)");
  return { path: path.join("."), ...(isEntry ? { item: Number(path[1]) } : {}), field, message };
}

/**
 * Reads a FHIR body (a Bundle of AuditEvents, or one) into Mosaic events. Every problem is named as
 * the JSON API names them: for a Bundle the entry's index as `item` and the element within the
 * resource as `field` ("entry.3.resource.agent.0.who.identifier.value" → item 3,
 * field "agent.0.who.identifier.value").
 */
export function readFhirAuditBody(
  body: unknown,
): { ok: true; events: AuditEventInput[]; toFhirIssues: (issues: ApiIssue[]) => ApiIssue[] } | { ok: false; issues: ApiIssue[] } {
  const parsed = fhirAuditInput.safeParse(body);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((issue) => fhirIssueAt(issue.path.map(String), issue.message)) };
  const resources = parsed.data.resourceType === "Bundle" ? parsed.data.entry.map((e) => e.resource) : [parsed.data];
  const isBundle = parsed.data.resourceType === "Bundle";
  const events: AuditEventInput[] = [];
  const origins: Record<string, string>[] = [];
  const issues: ApiIssue[] = [];
  resources.forEach((resource, i) => {
    const read = readFhirAuditEvent(resource);
    if (read.ok) {
      events.push(read.event);
      origins.push(read.origin);
    } else {
      for (const issue of read.issues) {
        issues.push(isBundle ? { path: `entry.${i}.resource.${issue.path}`, item: i, field: issue.path, message: issue.message } : { path: issue.path, field: issue.path, message: issue.message });
      }
    }
  });
  if (issues.length) return { ok: false, issues };
  // Problems found later (an unknown trust, another trust's data) name Mosaic fields of an item;
  // this names the FHIR element of the entry instead.
  const toFhirIssues = (found: ApiIssue[]) =>
    found.map((issue) => {
      const origin = issue.item !== undefined ? origins[issue.item] : undefined;
      const field = origin ? fhirPathOf(issue.field.split("."), origin) : issue.field;
      return isBundle && issue.item !== undefined ? { ...issue, path: `entry.${issue.item}.resource.${field}`, field } : { path: field, field, message: issue.message };
    });
  return { ok: true, events, toFhirIssues };
}

/** A FHIR searchset Bundle of AuditEvents, with a `next` link when there is another page. */
export function toSearchsetBundle(resources: Record<string, unknown>[], links: { self: string; next?: string | null }): Record<string, unknown> {
  return {
    resourceType: "Bundle",
    type: "searchset",
    link: [{ relation: "self", url: links.self }, ...(links.next ? [{ relation: "next", url: links.next }] : [])],
    entry: resources.map((resource) => ({ fullUrl: `urn:uuid:${String(resource.id)}`, resource, search: { mode: "match" } })),
  };
}

/** The OpenAPI shape of a searchset Bundle (the document describes it; the export builds it above). */
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
