// FHIR → Mosaic: reads AuditEvents (one, or a Bundle) into Mosaic's event shape and checks them
// with Mosaic's own schema, naming each problem at the FHIR element it came from. Pure: no database.
import type { z } from "zod";
import type { ApiIssue } from "@/lib/api-issues";
import { purposes, roles } from "@/lib/vocabulary";
import { auditEventInput, type AuditEventInput } from "../schemas";
import { agentTypes, outcomeOfCode, policyUriPattern, purposeCodes, systems, type Coding } from "./codes";
import { fhirAuditInput, type fhirAuditEvent } from "./schemas";

/** A problem with one element of a FHIR body: its path from the resource, and what is wrong. */
type FhirIssue = { path: string; message: string };

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
    "110104": verb === "C" ? "study.store" : "study.retrieve",
    "110106": "study.export",
    "110110": "report.view",
    "110112": "study.query",
  };
  if (dicom && byDicom[dicom]) return { action: byDicom[dicom], path: "type" };
  const rest = subtypes.find((c) => c.system === systems.restfulInteraction)?.code;
  const byRest: Record<string, string> = { create: "study.store", read: "study.view", vread: "study.view", "search-type": "study.query", search: "study.query", "search-system": "study.query", update: "study.modify", patch: "study.modify", delete: "study.delete" };
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
