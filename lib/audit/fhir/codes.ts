// The FHIR terminology of the audit mapping (lib/audit/fhir/index.ts): the code systems, and how
// Mosaic's actions, purposes, outcomes and participants are coded. Read by both directions, so
// that what one writes the other reads back the same.
import type { purposes } from "@/lib/vocabulary";
import type { accessActions, AuditEventInput } from "../schemas";

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
export const policyUriPattern = /^https:\/\/mosaic\.example\/fhir\/sharing-policy\/([0-9a-f-]{36})\/_history\/(\d+)$/i;
export const policyUri = (policy: { id: string; version: number }) => `${policyUriPrefix}${policy.id}/_history/${policy.version}`;

export type Coding = { system?: string; code?: string; display?: string };

const dicomEvents = {
  accessed: { system: systems.dicom, code: "110103", display: "DICOM Instances Accessed" },
  transferred: { system: systems.dicom, code: "110104", display: "DICOM Instances Transferred" },
  exported: { system: systems.dicom, code: "110106", display: "Export" },
  patientRecord: { system: systems.dicom, code: "110110", display: "Patient Record" },
  query: { system: systems.dicom, code: "110112", display: "Query" },
} satisfies Record<string, Coding>;

type Interaction = "create" | "read" | "search-type" | "update" | "delete";

/** How each Mosaic action reads in FHIR: its REST interaction (BALP), DICOM event ID and action code. */
export const actionCodes: Record<(typeof accessActions)[number], { interaction: Interaction; dicom: Coding; action: "C" | "R" | "E" | "U" | "D" }> = {
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
export const purposeCodes: Record<(typeof purposes)[number], { code: string; display: string }> = {
  direct_care: { code: "TREAT", display: "treatment" },
  mdt: { code: "COC", display: "coordination of care" },
  emergency: { code: "ETREAT", display: "emergency treatment" },
  clinical_audit: { code: "HQUALIMP", display: "health quality improvement" },
  teaching: { code: "TRAIN", display: "training" },
  research: { code: "HRESCH", display: "healthcare research" },
};

export const outcomeCodes = { success: "0", denied: "4", failure: "8" } as const;
export const outcomeOfCode: Record<string, AuditEventInput["outcome"]> = { "0": "success", "4": "denied", "8": "failure", "12": "failure" };

export const agentTypes = {
  user: { system: systems.participationType, code: "IRCP", display: "information recipient" },
  organisation: { system: systems.roleClass, code: "PROV", display: "healthcare provider" },
  custodian: { system: systems.participationType, code: "CST", display: "custodian" },
  client: { system: systems.dicom, code: "110152", display: "Destination Role ID" },
} satisfies Record<string, Coding>;
