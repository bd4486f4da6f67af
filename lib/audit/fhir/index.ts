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
//
// codes.ts holds the terminology, schemas.ts the shapes, to.ts and from.ts the two directions.
// This module is the folder's one door for the rest of Mosaic.
export { fhirContentType, systems } from "./codes";
export { fhirAuditEvent, fhirAuditInput, fhirExportQuery, fhirSearchsetBundle, type FhirExportQuery } from "./schemas";
export { toFhirAuditEvent, toSearchsetBundle, type MosaicAccessEvent } from "./to";
export { fhirIssueAt, readFhirAuditBody, readFhirAuditEvent } from "./from";
