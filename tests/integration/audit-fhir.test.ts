import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET, POST } from "@/app/api/v1/audit-events/route";
import { GET as openapi } from "@/app/api/v1/openapi.json/route";
import { auditEvents } from "@/db/schema";
import { readFhirAuditBody, toFhirAuditEvent } from "@/lib/audit/fhir";
import { auditEventInput, type AuditEventInput } from "@/lib/audit/schemas";
import { verifyChain } from "@/lib/audit/verify";
import { testDatabase } from "../helpers/database";
import { accessEventBody, makeApiKey } from "../helpers/api";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";

let rnz: TestTrust;
let rhu: TestTrust;
let r1f: TestTrust;
let writeKey: string;
let radiologist: string;

beforeAll(async () => {
  rnz = await makeTrust();
  rhu = await makeTrust();
  r1f = await makeTrust();
  writeKey = await makeApiKey(["audit:write"]);
  radiologist = (await makeUser([{ role: "radiologist", trustId: rhu.id }])).email;
});

function accessEvent(overrides: Record<string, unknown> = {}): AuditEventInput {
  return auditEventInput.parse(accessEventBody({ user: radiologist, actorTrust: rhu.odsCode, sourceTrust: rnz.odsCode }, overrides));
}

const bundleOf = (resources: unknown[], type = "batch") => ({
  resourceType: "Bundle",
  type,
  entry: resources.map((resource) => ({ resource, request: { method: "POST", url: "AuditEvent" } })),
});

function postFhir(body: unknown, key: string | null = writeKey): Promise<Response> {
  return POST(
    new Request("http://test/api/v1/audit-events", {
      method: "POST",
      headers: { "content-type": "application/fhir+json; fhirVersion=4.0", ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(body),
    }),
  );
}

const getFhir = (url: string, key: string | null) => GET(new Request(url.startsWith("http") ? url : `http://test${url}`, { headers: key ? { authorization: `Bearer ${key}` } : {} }));

const stored = async () => (await ownerQuery<{ n: number }>(sql`select count(*)::int as n from audit_events where action like 'study.%'`))[0]?.n ?? 0;

type ErrorBody = { error: { code: string; message: string; details: { issues: { item?: number; field: string; path: string }[] } } };

describe("POST /api/v1/audit-events as FHIR", () => {
  it("stores a batch Bundle of AuditEvents on the source trust's chain, and a retry stores nothing twice", async () => {
    const events = [accessEvent(), accessEvent({ action: "study.query" }), accessEvent({ patient: { nhsNumber: "9990000026" }, breakGlassJustification: "Trauma call, patient unconscious in ED", purpose: "emergency", policy: null })];
    const body = bundleOf(events.map((e) => toFhirAuditEvent(e)));
    const first = await postFhir(body);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ accepted: 3, duplicates: 0 });
    expect(await (await postFhir(body)).json()).toEqual({ accepted: 0, duplicates: 3 });
    // A collection, and a single resource, are accepted too; the id decides what is a duplicate.
    const extra = accessEvent();
    expect(await (await postFhir(bundleOf([toFhirAuditEvent(events[0]!), toFhirAuditEvent(extra)], "collection"))).json()).toEqual({ accepted: 1, duplicates: 1 });
    expect(await (await postFhir(toFhirAuditEvent(extra))).json()).toEqual({ accepted: 0, duplicates: 1 });

    const rows = await testDatabase().db.select().from(auditEvents).where(eq(auditEvents.chain, rnz.id)).orderBy(auditEvents.seq);
    expect(rows.map((r) => r.id)).toEqual([...events, extra].map((e) => e.eventId));
    expect(rows[1]).toMatchObject({ action: "study.query", actorEmail: radiologist, actorTrustId: rhu.id, sourceTrustId: rnz.id, modality: "MR", ip: "10.20.30.40", workstation: "QAH-RAD-07" });
    expect(rows[2]).toMatchObject({ patientNhsNumber: "9990000026", purpose: "emergency", breakGlassJustification: "Trauma call, patient unconscious in ED", policyId: null });
    expect(rows[0]?.occurredAt.toISOString()).toBe("2026-05-01T09:30:00.000Z");
    expect(await verifyChain(testDatabase().db, rnz.id)).toMatchObject({ ok: true, events: 4 });
  });

  it("refuses a Bundle with a bad entry, naming the entry and the element, and stores none of it", async () => {
    const before = await stored();
    const bad = toFhirAuditEvent(accessEvent()) as { entity: { what: { identifier: { value: string } } }[] };
    bad.entity[0]!.what.identifier.value = "9990000019";
    const res = await postFhir(bundleOf([toFhirAuditEvent(accessEvent()), toFhirAuditEvent(accessEvent()), bad]));
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe("VALIDATION");
    expect(body.error.details.issues).toEqual([expect.objectContaining({ item: 2, field: "entity.0.what.identifier.value", path: "entry.2.resource.entity.0.what.identifier.value" })]);
    expect(body.error.message).toContain("item 2, field entity.0.what.identifier.value");

    const notUuid = { ...toFhirAuditEvent(accessEvent()), id: "ex-auditBasicReadServer" };
    const idRes = (await (await postFhir(bundleOf([toFhirAuditEvent(accessEvent()), notUuid]))).json()) as ErrorBody;
    expect(idRes.error.details.issues).toContainEqual(expect.objectContaining({ item: 1, field: "id" }));
    expect(await stored()).toBe(before);
  });

  it("names the FHIR element of an unknown trust, and of another trust's events sent by a trust's client", async () => {
    const before = await stored();
    const unknown = await postFhir(bundleOf([toFhirAuditEvent(accessEvent()), toFhirAuditEvent(accessEvent({ study: { studyInstanceUid: "1.2.3", sourceTrust: "ZZZ99", modality: "CT" } }))]));
    expect(unknown.status).toBe(422);
    const agents = (toFhirAuditEvent(accessEvent()) as { agent: { type: { coding: { code: string }[] } }[] }).agent;
    const custodian = agents.findIndex((a) => a.type.coding[0]?.code === "CST");
    expect(((await unknown.json()) as ErrorBody).error.details.issues).toEqual([expect.objectContaining({ item: 1, field: `agent.${custodian}.who.identifier.value` })]);

    const rnzKey = await makeApiKey(["audit:write"], rnz.odsCode);
    const other = await postFhir(bundleOf([toFhirAuditEvent(accessEvent()), toFhirAuditEvent(accessEvent({ study: { studyInstanceUid: "1.2.3", sourceTrust: rhu.odsCode, modality: "CT" } }))]), rnzKey);
    expect(other.status).toBe(403);
    expect(((await other.json()) as ErrorBody).error.details.issues).toEqual([expect.objectContaining({ item: 1, field: `agent.${custodian}.who.identifier.value` })]);
    expect(await stored()).toBe(before);
  });

  it("needs the audit:write scope, and refuses a body that is neither Bundle nor AuditEvent", async () => {
    expect((await postFhir(toFhirAuditEvent(accessEvent()), null)).status).toBe(401);
    expect((await postFhir(toFhirAuditEvent(accessEvent()), await makeApiKey(["audit:read"]))).status).toBe(403);
    const wrong = await postFhir({ resourceType: "Patient" });
    expect(wrong.status).toBe(422);
    expect((await postFhir(bundleOf([]))).status).toBe(422);
  });
});

describe("GET /api/v1/audit-events (FHIR export)", () => {
  const patient = "9990000034";
  let sent: AuditEventInput[];

  beforeAll(async () => {
    // Seven accesses to one patient: about RNZ's images by RHU staff, about RHU's by RHU, about R1F's by R1F.
    sent = [
      ...[1, 2, 3].map((d) => accessEvent({ patient: { nhsNumber: patient }, occurredAt: `2026-03-0${d}T09:00:00Z` })),
      ...[4, 5].map((d) => accessEvent({ patient: { nhsNumber: patient }, occurredAt: `2026-03-0${d}T09:00:00Z`, study: { studyInstanceUid: "1.2.840.1", accessionNumber: null, sourceTrust: rhu.odsCode, modality: "CT" }, policy: null })),
      ...[6, 7].map((d) =>
        accessEvent({
          patient: { nhsNumber: patient },
          occurredAt: `2026-03-0${d}T09:00:00Z`,
          actor: { user: "someone@r1f.example", trust: r1f.odsCode, role: "clinician" },
          study: { studyInstanceUid: "1.2.840.2", accessionNumber: null, sourceTrust: r1f.odsCode, modality: "US" },
          policy: null,
          source: null,
        }),
      ),
      accessEvent({ patient: { nhsNumber: "9990000042" }, occurredAt: "2026-03-03T10:00:00Z" }),
    ];
    expect((await postFhir(bundleOf(sent.map((e) => toFhirAuditEvent(e))))).status).toBe(200);
  });

  type Bundle = { resourceType: string; type: string; link: { relation: string; url: string }[]; entry: { fullUrl: string; resource: { id: string } }[] };

  async function allPages(url: string, key: string): Promise<{ ids: string[]; pages: number; first: Bundle }> {
    const ids: string[] = [];
    let next: string | undefined = url;
    let pages = 0;
    let first: Bundle | undefined;
    while (next) {
      const res = await getFhir(next, key);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/fhir\+json/);
      const bundle = (await res.json()) as Bundle;
      first ??= bundle;
      ids.push(...bundle.entry.map((e) => e.resource.id));
      next = bundle.link.find((l) => l.relation === "next")?.url;
      pages++;
    }
    return { ids, pages, first: first! };
  }

  it("gives a consortium client every access to the patient, newest first, page by page", async () => {
    const key = await makeApiKey(["audit:read"]);
    const { ids, pages, first } = await allPages(`/api/v1/audit-events?patient=${patient}&_count=2`, key);
    expect(first).toMatchObject({ resourceType: "Bundle", type: "searchset" });
    expect(pages).toBe(4);
    expect(ids).toEqual(sent.slice(0, 7).map((e) => e.eventId).reverse());
  });

  it("links the Bundle's pages on the host the client called, not on localhost", async () => {
    const key = await makeApiKey(["audit:read"]);
    const res = await GET(new Request(`http://localhost:3000/api/v1/audit-events?patient=${patient}&_count=2`, { headers: { authorization: `Bearer ${key}`, host: "127.0.0.1:3000" } }));
    const bundle = (await res.json()) as Bundle;
    expect(bundle.link.map((l) => l.relation).sort()).toEqual(["next", "self"]);
    for (const link of bundle.link) expect(link.url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/api\/v1\/audit-events\?/);
  });

    it("gives back what was sent: exported AuditEvents read as the same events", async () => {
    const key = await makeApiKey(["audit:read"]);
    const bundle = (await (await getFhir(`/api/v1/audit-events?patient=${patient}`, key)).json()) as Bundle & { entry: { resource: Record<string, unknown> }[] };
    const read = readFhirAuditBody({ resourceType: "Bundle", type: "collection", entry: bundle.entry.map((e) => ({ resource: e.resource })) });
    expect(read.ok).toBe(true);
    const back = read.ok ? read.events : [];
    const expected = sent.slice(0, 7).reverse();
    expect(back.map((e) => ({ ...e, occurredAt: new Date(e.occurredAt).toISOString() }))).toEqual(expected.map((e) => ({ ...e, occurredAt: new Date(e.occurredAt).toISOString() })));
    expect(bundle.entry[0]?.resource.meta).toEqual({ lastUpdated: expect.any(String) });
  });

  it("gives a trust's client only events about its images or by its staff, and filters by period", async () => {
    const rnzKey = await makeApiKey(["audit:read"], rnz.odsCode);
    expect((await allPages(`/api/v1/audit-events?patient=${patient}`, rnzKey)).ids).toEqual(sent.slice(0, 3).map((e) => e.eventId).reverse());
    const rhuKey = await makeApiKey(["audit:read"], rhu.odsCode);
    expect((await allPages(`/api/v1/audit-events?patient=${patient}`, rhuKey)).ids).toEqual(sent.slice(0, 5).map((e) => e.eventId).reverse());
    const r1fKey = await makeApiKey(["audit:read"], r1f.odsCode);
    expect((await allPages(`/api/v1/audit-events?patient=${patient}&from=2026-03-02&to=2026-03-06`, r1fKey)).ids).toEqual([sent[5]!.eventId]);
    expect((await allPages(`/api/v1/audit-events?patient=${patient}&from=2026-03-02&to=2026-03-03`, rhuKey)).ids).toEqual([sent[2]!.eventId, sent[1]!.eventId]);
  });

  it("is audited, needs the audit:read scope, and names a bad query parameter", async () => {
    const key = await makeApiKey(["audit:read"]);
    const before = (await ownerQuery<{ n: number }>(sql`select count(*)::int as n from audit_events where action = 'audit.export' and details->>'format' = 'fhir'`))[0]?.n ?? 0;
    await getFhir(`/api/v1/audit-events?patient=${patient}`, key);
    const after = (await ownerQuery<{ n: number }>(sql`select count(*)::int as n from audit_events where action = 'audit.export' and details->>'format' = 'fhir'`))[0]?.n ?? 0;
    expect(after).toBe(before + 1);

    expect((await getFhir(`/api/v1/audit-events?patient=${patient}`, null)).status).toBe(401);
    expect((await getFhir(`/api/v1/audit-events?patient=${patient}`, writeKey)).status).toBe(403);
    for (const [query, field] of [
      ["", "patient"],
      ["patient=9990000035", "patient"],
      [`patient=${patient}&from=yesterday`, "from"],
      [`patient=${patient}&to=2026-03-02T00:00:00Z`, "to"],
      [`patient=${patient}&_count=5000`, "_count"],
      [`patient=${patient}&cursor=nonsense`, "cursor"],
    ] as const) {
      const res = await getFhir(`/api/v1/audit-events?${query}`, key);
      expect(res.status).toBe(422);
      expect(((await res.json()) as ErrorBody).error.details.issues).toContainEqual(expect.objectContaining({ field }));
    }
  });
});

describe("the OpenAPI document", () => {
  it("describes the FHIR request beside the JSON one, and the export with its query parameters", async () => {
    type Op = { requestBody?: { content: Record<string, unknown> }; parameters?: { name: string; required: boolean }[]; responses: Record<string, { content: Record<string, unknown> }>; "x-required-scope"?: string };
    const doc = (await openapi().json()) as { paths: Record<string, Record<string, Op>> };
    const path = doc.paths["/api/v1/audit-events"]!;
    expect(Object.keys(path.post!.requestBody!.content).sort()).toEqual(["application/fhir+json", "application/json"]);
    expect(path.get!["x-required-scope"]).toBe("audit:read");
    expect(path.get!.parameters).toContainEqual(expect.objectContaining({ name: "patient", required: true }));
    expect(path.get!.parameters).toContainEqual(expect.objectContaining({ name: "_count", required: false }));
    expect(Object.keys(path.get!.responses["200"]!.content)).toEqual(["application/fhir+json"]);
  });
});
