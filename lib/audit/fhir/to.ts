// Mosaic → FHIR: an access event as a FHIR R4 AuditEvent in the BALP pattern, and pages of them as
// a searchset Bundle. Pure: no database.
import { actionCodes, agentTypes, outcomeCodes, policyUri, purposeCodes, systems, type Coding } from "./codes";

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


/** A FHIR searchset Bundle of AuditEvents, with a `next` link when there is another page. */
export function toSearchsetBundle(resources: Record<string, unknown>[], links: { self: string; next?: string | null }): Record<string, unknown> {
  return {
    resourceType: "Bundle",
    type: "searchset",
    link: [{ relation: "self", url: links.self }, ...(links.next ? [{ relation: "next", url: links.next }] : [])],
    entry: resources.map((resource) => ({ fullUrl: `urn:uuid:${String(resource.id)}`, resource, search: { mode: "match" } })),
  };
}
