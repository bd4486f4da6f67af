import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fhirAuditEvent, readFhirAuditBody, readFhirAuditEvent, systems, toFhirAuditEvent } from "@/lib/audit/fhir";
import { accessActions, auditEventInput, outcomes, type AuditEventInput } from "@/lib/audit/schemas";
import { roles, modalities, purposes } from "@/lib/vocabulary";

const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

const nhsNumber = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 })
  .map((d) => {
    const check = 11 - (d.reduce((s, x, i) => s + x * (10 - i), 0) % 11);
    return check === 10 ? null : d.join("") + String(check === 11 ? 0 : check);
  })
  .filter((n): n is string => n !== null);

// An instant with an offset, as a PACS may send it (Z, or +hh:mm / -hh:mm), always in the past.
const instant = fc
  .tuple(fc.date({ min: new Date("2015-01-01T00:00:00Z"), max: new Date("2025-12-31T00:00:00Z"), noInvalidDate: true }), fc.integer({ min: -12, max: 14 }), fc.boolean())
  .map(([d, hours, millis]) => {
    if (hours === 0) return millis ? d.toISOString() : d.toISOString().replace(/\.\d{3}Z$/, "Z");
    const local = new Date(d.getTime() + hours * 3_600_000).toISOString().slice(0, millis ? 23 : 19);
    return `${local}${hours < 0 ? "-" : "+"}${String(Math.abs(hours)).padStart(2, "0")}:00`;
  });

const raw = fc.record({
  eventId: fc.uuid({ version: 4 }),
  occurredAt: instant,
  action: fc.constantFrom(...accessActions),
  outcome: fc.constantFrom(...outcomes),
  actor: fc.record({
    user: fc.stringMatching(/^[a-z][a-z0-9]{0,11}(\.[a-z0-9]{1,8})?@[a-z]{2,10}\.(example|nhs\.uk)$/),
    trust: fc.stringMatching(/^[A-Z0-9]{3,5}$/),
    role: fc.constantFrom(...roles),
  }),
  patient: fc.record({ nhsNumber }),
  study: fc.record({
    studyInstanceUid: fc.stringMatching(/^[1-9]\d{0,3}(\.(0|[1-9]\d{0,5})){1,8}$/),
    accessionNumber: nullable(fc.string({ minLength: 1, maxLength: 16 })),
    sourceTrust: fc.stringMatching(/^[A-Z0-9]{3,5}$/),
    modality: fc.constantFrom(...modalities),
  }),
  purpose: fc.constantFrom(...purposes),
  policy: nullable(fc.record({ id: fc.uuid({ version: 4 }), version: fc.integer({ min: 1, max: 10_000 }) })),
  breakGlassJustification: nullable(fc.string({ minLength: 10, maxLength: 200 })),
  source: nullable(
    fc.oneof(
      fc.record({ ip: fc.oneof(fc.ipV4(), fc.ipV6()), workstation: nullable(fc.string({ minLength: 1, maxLength: 40 })) }),
      fc.record({ ip: nullable(fc.ipV4()), workstation: fc.string({ minLength: 1, maxLength: 40 }) }),
    ),
  ),
});

// Only events the JSON API itself accepts, in the form it stores them (trimmed, lower-cased email).
const mosaicEvent: fc.Arbitrary<AuditEventInput> = raw
  .map((r) => auditEventInput.safeParse(r))
  .filter((p) => p.success)
  .map((p) => p.data as AuditEventInput);

const overTheWire = (resource: unknown) => fhirAuditEvent.parse(JSON.parse(JSON.stringify(resource)));

describe("FHIR AuditEvent mapping", () => {
  it("Mosaic → FHIR → Mosaic is the identity", () => {
    fc.assert(
      fc.property(mosaicEvent, (event) => {
        const back = readFhirAuditEvent(overTheWire(toFhirAuditEvent(event)));
        expect(back).toMatchObject({ ok: true });
        expect(back.ok && back.event).toEqual(event);
      }),
      { numRuns: 500 },
    );
  });

  it("writes the BALP pattern: REST type and read subtype, user as requestor, patient and study entities", () => {
    const event = auditEventInput.parse({
      eventId: "0b6f4f7e-8d7a-4a51-9a34-1f3c6e2d9b10",
      occurredAt: "2026-05-01T10:30:00+01:00",
      action: "study.view",
      outcome: "success",
      actor: { user: "Ana.Radiologist@rhu.example", trust: "RHU", role: "radiologist" },
      patient: { nhsNumber: "9990000018" },
      study: { studyInstanceUid: "1.2.826.0.1.3680043.8.498.1", accessionNumber: "RNZ123456", sourceTrust: "RNZ", modality: "MR" },
      purpose: "emergency",
      policy: { id: "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b", version: 2 },
      breakGlassJustification: "Trauma call, patient unconscious in ED",
      source: { ip: "10.20.30.40", workstation: "QAH-RAD-07" },
    });
    const fhir = toFhirAuditEvent(event, { recordedAt: new Date("2026-05-01T09:30:05Z"), observer: "Mosaic" });
    expect(fhir).toMatchObject({
      resourceType: "AuditEvent",
      id: event.eventId,
      meta: { lastUpdated: "2026-05-01T09:30:05.000Z" },
      type: { system: systems.auditEventType, code: "rest" },
      action: "R",
      recorded: "2026-05-01T10:30:00+01:00",
      outcome: "0",
    });
    expect(fhir.subtype).toEqual(
      expect.arrayContaining([
        { system: systems.restfulInteraction, code: "read" },
        { system: systems.dicom, code: "110103", display: "DICOM Instances Accessed" },
      ]),
    );
    const agents = fhir.agent as Record<string, unknown>[];
    expect(agents[0]).toMatchObject({
      type: { coding: [{ system: systems.participationType, code: "IRCP" }] },
      who: { identifier: { system: "urn:ietf:rfc:3986", value: "mailto:ana.radiologist@rhu.example" } },
      role: [{ coding: [{ system: systems.mosaicRole, code: "radiologist" }] }],
      requestor: true,
      policy: ["https://mosaic.example/fhir/sharing-policy/6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b/_history/2"],
      purposeOfUse: [
        { coding: [{ system: systems.actReason, code: "ETREAT" }, { system: systems.mosaicPurpose, code: "emergency" }] },
        { coding: [{ system: systems.actReason, code: "BTG" }], text: "Trauma call, patient unconscious in ED" },
      ],
    });
    expect(agents).toContainEqual(expect.objectContaining({ type: { coding: [expect.objectContaining({ code: "CST" })] }, who: { type: "Organization", identifier: { system: systems.odsCode, value: "RNZ" } } }));
    expect(agents).toContainEqual(expect.objectContaining({ type: { coding: [expect.objectContaining({ code: "110152" })] }, who: { display: "QAH-RAD-07" }, network: { address: "10.20.30.40", type: "2" } }));
    expect(fhir.entity).toEqual([
      expect.objectContaining({ what: { type: "Patient", identifier: { system: systems.nhsNumber, value: "9990000018" } }, role: expect.objectContaining({ code: "1" }) }),
      expect.objectContaining({
        what: { type: "ImagingStudy", identifier: { system: "urn:dicom:uid", value: "urn:oid:1.2.826.0.1.3680043.8.498.1" } },
        detail: [{ type: "AccessionNumber", valueString: "RNZ123456" }, { type: "Modality", valueString: "MR" }],
      }),
    ]);
  });

  // As a PACS that knows only the standard codes would send it: the BALP PatientRead example
  // (client, server and user agents, patient and data entities) with NHS and DICOM identifiers.
  const balpRead = {
    resourceType: "AuditEvent",
    id: "7c3e9f1a-2b4d-4c6e-8f0a-1b2c3d4e5f60",
    type: { system: "http://terminology.hl7.org/CodeSystem/audit-event-type", code: "rest", display: "Restful Operation" },
    subtype: [{ system: "http://hl7.org/fhir/restful-interaction", code: "read", display: "read" }],
    action: "R",
    recorded: "2026-03-02T14:05:09.120Z",
    outcome: "0",
    source: { site: "pacs.consortium.example", observer: { display: "Consortium PACS" }, type: [{ system: systems.sourceType, code: "4" }] },
    agent: [
      { type: { coding: [{ system: systems.dicom, code: "110153", display: "Source Role ID" }] }, requestor: false, who: { display: "pacs.consortium.example" }, network: { address: "https://pacs.consortium.example/dicomweb", type: "5" } },
      { type: { coding: [{ system: systems.dicom, code: "110152", display: "Destination Role ID" }] }, requestor: false, who: { display: "SGH-REPORT-12" }, network: { address: "2001:db8::7334", type: "2" } },
      {
        type: { coding: [{ system: systems.participationType, code: "IRCP", display: "information recipient" }] },
        requestor: true,
        who: { identifier: { system: "urn:ietf:rfc:3986", value: "mailto:j.smith@rhm.example" }, display: "J Smith" },
        role: [{ coding: [{ system: "http://snomed.info/sct", code: "66862007", display: "Radiologist" }, { system: systems.mosaicRole, code: "reporting_radiographer" }] }],
        purposeOfUse: [{ coding: [{ system: systems.actReason, code: "TREAT" }] }],
        policy: ["C187CC480FAC40A0936902D8BC324F5F"],
      },
      { type: { coding: [{ system: systems.roleClass, code: "PROV" }] }, requestor: false, who: { identifier: { system: systems.odsCode, value: "RHM" } } },
      { type: { coding: [{ system: systems.participationType, code: "CST" }] }, requestor: false, who: { identifier: { system: systems.odsCode, value: "RHM" } } },
    ],
    entity: [
      { what: { identifier: { system: systems.nhsNumber, value: "9990000026" } }, type: { system: systems.entityType, code: "1" }, role: { system: systems.objectRole, code: "1" } },
      {
        what: { identifier: { system: "urn:dicom:uid", value: "urn:oid:1.2.826.0.1.3680043.2.1125.1" } },
        type: { system: systems.entityType, code: "2" },
        role: { system: systems.objectRole, code: "4" },
        detail: [{ type: "Modality", valueString: "CT" }],
      },
      { type: { system: "https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType", code: "XrequestId" }, what: { identifier: { value: "76d148b6-586d-11ec-bf63-0242ac130002" } } },
    ],
  };

  it("reads a BALP PatientRead-shaped event that carries only standard codes", () => {
    const read = readFhirAuditBody(balpRead);
    expect(read.ok && read.events).toEqual([
        {
          eventId: "7c3e9f1a-2b4d-4c6e-8f0a-1b2c3d4e5f60",
          occurredAt: "2026-03-02T14:05:09.120Z",
          action: "study.view",
          outcome: "success",
          actor: { user: "j.smith@rhm.example", trust: "RHM", role: "reporting_radiographer" },
          patient: { nhsNumber: "9990000026" },
          study: { studyInstanceUid: "1.2.826.0.1.3680043.2.1125.1", accessionNumber: null, sourceTrust: "RHM", modality: "CT" },
          purpose: "direct_care",
          policy: null,
          breakGlassJustification: null,
          source: { ip: "2001:db8::7334", workstation: "SGH-REPORT-12" },
        },
    ]);
  });

  it("reads DICOM event IDs: a query, an export and a refused access", () => {
    const withType = (type: object, more: object = {}) => ({ ...balpRead, type, subtype: [], ...more });
    const actionOf = (body: object) => {
      const read = readFhirAuditBody(body);
      return read.ok ? [read.events[0]?.action, read.events[0]?.outcome] : read.issues;
    };
    expect(actionOf(withType({ system: systems.dicom, code: "110112" }, { action: "E" }))).toEqual(["study.query", "success"]);
    expect(actionOf(withType({ system: systems.dicom, code: "110106" }))).toEqual(["study.export", "success"]);
    expect(actionOf(withType({ system: systems.dicom, code: "110103" }, { outcome: "4" }))).toEqual(["study.view", "denied"]);
    expect(actionOf(withType({ system: systems.dicom, code: "110103" }, { action: "D", outcome: "12" }))).toEqual(["study.delete", "failure"]);
  });

  const entity = (i: number, patch: object) => ({ ...balpRead, entity: balpRead.entity.map((e, j) => (j === i ? { ...e, ...patch } : e)) });
  const agent = (i: number, patch: object) => ({ ...balpRead, agent: balpRead.agent.map((a, j) => (j === i ? { ...a, ...patch } : a)) });
  const bad: [string, object, string][] = [
    ["id not a UUID", { ...balpRead, id: "ex-auditBasicReadServer" }, "id"],
    ["no recorded", { ...balpRead, recorded: undefined }, "recorded"],
    ["recorded without an offset", { ...balpRead, recorded: "2026-03-02T14:05:09" }, "recorded"],
    ["outcome not a code", { ...balpRead, outcome: "success" }, "outcome"],
    ["unknown action", { ...balpRead, subtype: [{ system: systems.restfulInteraction, code: "capabilities" }] }, "subtype"],
    ["no requestor flag", agent(2, { requestor: undefined }), "agent.2.requestor"],
    ["bad email", agent(2, { who: { identifier: { system: "urn:ietf:rfc:3986", value: "mailto:nobody" } } }), "agent.2.who.identifier.value"],
    ["no role", agent(2, { role: [] }), "agent.2.role"],
    ["bad ODS code", agent(3, { who: { identifier: { system: systems.odsCode, value: "rhm!" } } }), "agent.3.who.identifier.value"],
    ["bad IP", agent(1, { network: { address: "999.1.1.1", type: "2" } }), "agent.1.network.address"],
    ["BTG without a justification", agent(2, { purposeOfUse: [{ coding: [{ system: systems.actReason, code: "TREAT" }] }, { coding: [{ system: systems.actReason, code: "BTG" }] }] }), "agent.2.purposeOfUse.1.text"],
    ["NHS number check digit", entity(0, { what: { identifier: { system: systems.nhsNumber, value: "9990000019" } } }), "entity.0.what.identifier.value"],
    ["study UID not urn:oid", entity(1, { what: { identifier: { system: "urn:dicom:uid", value: "1.2.3" } } }), "entity.1.what.identifier.value"],
    ["study UID leading zero", entity(1, { what: { identifier: { system: "urn:dicom:uid", value: "urn:oid:1.02.3" } } }), "entity.1.what.identifier.value"],
    ["bad modality", entity(1, { detail: [{ type: "Modality", valueString: "XR" }] }), "entity.1.detail.0.valueString"],
  ];
  it.each(bad)("names the element of a bad resource: %s", (_what, body, field) => {
    const read = readFhirAuditBody(body);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.issues.map((i) => i.field)).toContain(field);
  });

  it("names the entry of a Bundle, and refuses a Bundle of another type", () => {
    const bundle = { resourceType: "Bundle", type: "batch", entry: [{ resource: balpRead }, { resource: entity(0, { what: { identifier: { system: systems.nhsNumber, value: "123" } } }) }] };
    expect(readFhirAuditBody(bundle)).toEqual({
      ok: false,
      issues: [expect.objectContaining({ path: "entry.1.resource.entity.0.what.identifier.value", item: 1, field: "entity.0.what.identifier.value" })],
    });
    const structural = readFhirAuditBody({ ...bundle, entry: [{ resource: balpRead }, { resource: { ...balpRead, outcome: 3 } }] });
    expect(structural).toEqual({ ok: false, issues: [expect.objectContaining({ item: 1, field: "outcome" })] });
    expect(readFhirAuditBody({ ...bundle, type: "searchset" })).toEqual({ ok: false, issues: [expect.objectContaining({ field: "type" })] });
    expect(readFhirAuditBody({ resourceType: "Patient" })).toMatchObject({ ok: false });
  });
});
