// Issue 11, "no 5xx, nothing written": the machine API's four POST endpoints (audit events as JSON
// and as FHIR, exams, storage usage, access decisions) through their real route handlers, on both
// databases. First the cases the issue names, then a property-based fuzz of each schema: random
// values in every field, hostile text (NUL, lone surrogates, forbidden member names, huge strings),
// deep nesting, wrong media types and oversized bodies. Every answer must be below 500; a refusal
// must name the item and field (or the limit), and must leave every table as it was.
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as postDecisions } from "@/app/api/v1/access-decisions/route";
import { POST as postAudit } from "@/app/api/v1/audit-events/route";
import { POST as postExams } from "@/app/api/v1/exams/route";
import { POST as postUsage } from "@/app/api/v1/storage-usage/route";
import { maxBodyBytes, maxJsonDepth } from "@/lib/limits";
import { fhirContentType, toFhirAuditEvent } from "@/lib/audit/fhir";
import { flushDecisionAudit } from "@/lib/sharing/decision-audit";
import { accessEventBody, makeApiKey } from "../helpers/api";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Handler = (request: Request) => Promise<Response>;
type Issue = { path: string; item?: number; field: string; message: string };
type ErrorBody = { error: { code: string; message: string; details: { issues?: Issue[]; limit?: number } | null } };

let source: TestTrust;
let requester: TestTrust;
let key: string;
let radiologist: string;

beforeAll(async () => {
  source = await makeTrust();
  requester = await makeTrust();
  key = await makeApiKey(["audit:write", "exams:write", "storage:write", "decisions:read"]);
  radiologist = (await makeUser([{ role: "radiologist", trustId: requester.id }])).email;
});

// ---------------------------------------------------------------------------------------------
// The endpoints, each with a valid body to start from and where its items sit.

let serial = 0;
const uid = () => `1.2.826.0.1.3680043.10.${Date.now()}.${++serial}`;

type Endpoint = {
  name: string;
  url: string;
  handler: Handler;
  contentType: string;
  /** A valid body of `n` items (n ignored by a single request). */
  body: (n: number) => Json;
  /** Where the items of a batch are (["events"], ["entry"]), and the path within an item's value to its fields. */
  items: string[] | null;
  itemPrefix: string[];
};

const auditEvent = () => accessEventBody({ user: radiologist, actorTrust: requester.odsCode, sourceTrust: source.odsCode }, { study: { studyInstanceUid: uid(), accessionNumber: "ACC123", sourceTrust: source.odsCode, modality: "MR" } });

const endpoints: Endpoint[] = [
  {
    name: "audit-events (JSON)",
    url: "/api/v1/audit-events",
    handler: postAudit,
    contentType: "application/json",
    body: (n) => ({ events: Array.from({ length: n }, auditEvent) as unknown as Json[] }),
    items: ["events"],
    itemPrefix: [],
  },
  {
    name: "audit-events (FHIR)",
    url: "/api/v1/audit-events",
    handler: postAudit,
    contentType: `${fhirContentType}; fhirVersion=4.0`,
    body: (n) => ({
      resourceType: "Bundle",
      type: "batch",
      entry: Array.from({ length: n }, () => ({ resource: toFhirAuditEvent(auditEvent()) as Json, request: { method: "POST", url: "AuditEvent" } })),
    }),
    items: ["entry"],
    itemPrefix: ["resource"],
  },
  {
    name: "exams",
    url: "/api/v1/exams",
    handler: postExams,
    contentType: "application/json",
    body: (n) => ({
      exams: Array.from({ length: n }, () => ({
        studyInstanceUid: uid(),
        accessionNumber: `A${serial}`,
        trust: source.odsCode,
        site: `${source.odsCode}1`,
        modality: "CT",
        performedAt: "2026-03-04T09:15:00Z",
        imageCount: 120,
        sizeBytes: 250_000_000,
      })),
    }),
    items: ["exams"],
    itemPrefix: [],
  },
  {
    name: "storage-usage",
    url: "/api/v1/storage-usage",
    handler: postUsage,
    contentType: "application/json",
    body: (n) => {
      // Distinct (trust, tier, date, modality) per item; the day moves on with every body.
      const day = new Date(Date.UTC(2020, 0, 1) + (++serial % 2000) * 86_400_000).toISOString().slice(0, 10);
      const modalities = ["CT", "MR", "US", "DX", "MG"];
      return { usage: Array.from({ length: n }, (_, i) => ({ trust: source.odsCode, tier: "online", date: day, modality: modalities[i % 5]!, bytes: 5e12 + i })) };
    },
    items: ["usage"],
    itemPrefix: [],
  },
  {
    name: "access-decisions",
    url: "/api/v1/access-decisions",
    handler: postDecisions,
    contentType: "application/json",
    body: () => ({
      requester: { user: radiologist, trust: requester.odsCode },
      study: { sourceTrust: source.odsCode, modality: "MR", studyDate: "2024-05-01", studyInstanceUid: "1.2.826.0.1.3680043.8.498.1", patientNhsNumber: "9990000018" },
      purpose: "mdt",
      patientEpisodeTrusts: [requester.odsCode, source.odsCode],
      breakGlassJustification: null,
    }),
    items: null,
    itemPrefix: [],
  },
];

function post(endpoint: Endpoint, body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = { "content-type": endpoint.contentType }): Promise<Response> {
  const init: RequestInit & { duplex?: "half" } = { method: "POST", headers: { authorization: `Bearer ${key}`, ...headers }, body };
  if (typeof body !== "string") init.duplex = "half";
  return endpoint.handler(new Request(`http://test${endpoint.url}`, init));
}

// ---------------------------------------------------------------------------------------------
// "Nothing written": every table a request could write, and the audit partitions.

async function counts(): Promise<Record<string, number>> {
  await flushDecisionAudit(); // decisions are audited just after the answer
  const [row] = await ownerQuery<Record<string, number>>(sql`select
    (select count(*) from audit_events)::int as audit_events,
    (select count(*) from audit_event_ids)::int as audit_event_ids,
    (select count(*) from audit_chain_heads)::int as audit_chain_heads,
    (select count(*) from audit_alerts)::int as audit_alerts,
    (select count(*) from exams)::int as exams,
    (select count(*) from capacity_exams_hourly)::int as capacity_exams_hourly,
    (select count(*) from capacity_exams_daily)::int as capacity_exams_daily,
    (select count(*) from storage_usage)::int as storage_usage,
    (select count(*) from capacity_storage_daily)::int as capacity_storage_daily,
    (select count(*) from pg_inherits where inhparent = 'audit_events'::regclass)::int as audit_partitions`);
  return row ?? {};
}

/** Sends, and checks the answer: never 5xx; a refusal has the error shape and writes nothing. */
async function sendChecked(endpoint: Endpoint, body: string | (() => ReadableStream<Uint8Array>), headers?: Record<string, string>) {
  const before = await counts();
  const res = await post(endpoint, typeof body === "string" ? body : body(), headers);
  const text = await res.text();
  expect(res.status, `${endpoint.name}: ${res.status} ${text.slice(0, 500)}`).toBeLessThan(500);
  if (res.status === 200) return { status: res.status, error: null };
  const { error } = JSON.parse(text) as ErrorBody;
  expect(error.code).toMatch(/^[A-Z_]+$/);
  expect(error.message.length).toBeGreaterThan(0);
  expect(await counts(), `${endpoint.name} wrote something with ${res.status}: ${text.slice(0, 300)}`).toEqual(before);
  return { status: res.status, error };
}

/** The place a refusal must name: the item (in a batch) and a field that is or holds the path. */
function expectNamed(error: ErrorBody["error"], at: { item?: number; field: string }) {
  const issues = error.details?.issues ?? [];
  const related = (field: string) => field === at.field || field === "(body)" || field.startsWith(`${at.field}.`) || at.field.startsWith(`${field}.`) || at.field === "";
  const found = issues.find((i) => i.item === at.item && related(i.field));
  expect(found, `no issue at item ${at.item}, field ${at.field}: ${JSON.stringify(issues).slice(0, 600)}`).toBeDefined();
}

/** Objects nested `depth` deep around a value, as JSON text (built without recursion). */
const nestedText = (depth: number, inner = "1") => `${'{"a":'.repeat(depth)}${inner}${"}".repeat(depth)}`;

// ---------------------------------------------------------------------------------------------
// The cases of the issue, each answered 500 or 200-with-corruption before.

describe("the cases of issue 11", () => {
  const bodyWith = (endpoint: Endpoint, edit: (item: Record<string, unknown>) => void) => {
    const body = endpoint.body(2) as Record<string, unknown>;
    const list = endpoint.items ? (body[endpoint.items[0]!] as Record<string, unknown>[]) : [body];
    const last = list[list.length - 1]!;
    edit((endpoint.itemPrefix[0] ? last[endpoint.itemPrefix[0]] : last) as Record<string, unknown>);
    return JSON.stringify(body);
  };
  const [auditJson, auditFhir, exams, usage, decisions] = endpoints as [Endpoint, Endpoint, Endpoint, Endpoint, Endpoint];
  const set = (path: string, value: unknown) => (item: Record<string, unknown>) => {
    const keys = path.split(".");
    let at: Record<string, unknown> = item;
    for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
    at[keys.at(-1)!] = value;
  };

  const cases: [string, Endpoint, (item: Record<string, unknown>) => void, string][] = [
    ["a lone high surrogate in a workstation", auditJson, set("source.workstation", "QAH\ud800RAD"), "source.workstation"],
    ["a lone low surrogate in an accession number", auditJson, set("study.accessionNumber", "\udc00ACC"), "study.accessionNumber"],
    ["a high surrogate followed by a letter in a justification", auditJson, set("breakGlassJustification", "Emergency \ud83d! trauma call in ED"), "breakGlassJustification"],
    ["a lone surrogate in who.display (FHIR)", auditFhir, set("agent.3.who.display", "WS\udbff"), "agent.3.who.display"],
    ["a lone surrogate in an accession number (exams)", exams, set("accessionNumber", "A\ud800"), "accessionNumber"],
    ["a lone surrogate in a justification (decisions)", decisions, set("breakGlassJustification", "Because \udc00 of a trauma call"), "breakGlassJustification"],
    ["occurredAt in year 0001", auditJson, set("occurredAt", "0001-01-01T00:00:00Z"), "occurredAt"],
    ["occurredAt in year 0000", auditJson, set("occurredAt", "0000-06-01T00:00:00+01:00"), "occurredAt"],
    ["occurredAt before 1990", auditJson, set("occurredAt", "1989-12-31T23:59:59Z"), "occurredAt"],
    ["recorded in year 0001 (FHIR)", auditFhir, set("recorded", "0001-01-01T00:00:00Z"), "recorded"],
    ["period.start in year 0001 (FHIR)", auditFhir, set("period", { start: "0001-01-01T00:00:00Z" }), "period.start"],
    ["performedAt in year 0001", exams, set("performedAt", "0001-01-01T00:00:00Z"), "performedAt"],
    ["performedAt an hour ahead", exams, set("performedAt", new Date(Date.now() + 3_600_000).toISOString()), "performedAt"],
    ["a storage date in year 0000", usage, set("date", "0000-01-01"), "date"],
    ["a storage date tomorrow", usage, set("date", new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10)), "date"],
    ["a study date in year 0001", decisions, set("study.studyDate", "0001-01-01"), "study.studyDate"],
    ["policy.version 2147483648", auditJson, set("policy.version", 2_147_483_648), "policy.version"],
    ["a policy version past integer in the policy URI (FHIR)", auditFhir, set("agent.0.policy", ["https://mosaic.example/fhir/sharing-policy/6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b/_history/2147483648"]), "agent.0.policy.0"],
    ["imageCount 2^31", exams, set("imageCount", 2 ** 31), "imageCount"],
    ["sizeBytes 2^63", exams, set("sizeBytes", 2 ** 63), "sizeBytes"],
    ["bytes 2^63", usage, set("bytes", 2 ** 63), "bytes"],
  ];

  it.each(cases)("refuses %s with 422 naming the item and field, writing nothing", async (_what, endpoint, edit, field) => {
    const { status, error } = await sendChecked(endpoint, bodyWith(endpoint, edit));
    expect(status).toBe(422);
    expectNamed(error!, { item: endpoint.items ? 1 : undefined, field });
  });

  it.each(endpoints.map((e) => [e.name, e] as const))("%s: refuses __proto__, constructor and prototype members, and lone surrogates in member names", async (_name, endpoint) => {
    for (const member of ['"__proto__":{"isAdmin":true}', '"constructor":{"prototype":{"x":1}}', '"prototype":1', '"a\\ud800":1', '"\\udc00b":"x"']) {
      const body = JSON.stringify(endpoint.body(2));
      // Into the last item (or the request), as its first member.
      const at = endpoint.items ? body.lastIndexOf(endpoint.itemPrefix[0] ? '"resource":{' : "},{") + (endpoint.itemPrefix[0] ? '"resource":{'.length : 3) : 1;
      const hostile = `${body.slice(0, at)}${member},${body.slice(at)}`;
      const { status, error } = await sendChecked(endpoint, hostile);
      expect(status).toBe(422);
      expectNamed(error!, { item: endpoint.items ? 1 : undefined, field: "" });
      expect(error!.details?.issues?.[0]?.field).toMatch(/__proto__|constructor|prototype|\ud800|\udc00/);
    }
  });

  it.each(endpoints.map((e) => [e.name, e] as const))("%s: refuses JSON nested 5,000 deep (and just past the limit) with 422, never a stack overflow", async (_name, endpoint) => {
    for (const depth of [5_000, 100_000, maxJsonDepth]) {
      // One level for the body, one for the list, one for the item: the rest in one field.
      const text = endpoint.items ? `{"${endpoint.items[0]}":[${nestedText(depth)}]}` : `{"requester":${nestedText(depth)}}`;
      const { status, error } = await sendChecked(endpoint, text);
      expect(status).toBe(422);
      expect(error!.details?.issues?.[0]?.message).toContain(`at most ${maxJsonDepth} levels`);
      if (endpoint.items) expect(error!.details?.issues?.[0]?.item).toBe(0);
    }
  });

  it.each(endpoints.map((e) => [e.name, e] as const))("%s: answers 415 to a body that is not JSON by its Content-Type", async (_name, endpoint) => {
    const body = JSON.stringify(endpoint.body(1));
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/json; charset=iso-8859-1", null]) {
      const { status, error } = await sendChecked(endpoint, body, type === null ? {} : { "content-type": type });
      expect(status, String(type)).toBe(415);
      expect(error!.code).toBe("UNSUPPORTED_MEDIA_TYPE");
      expect(error!.details?.issues?.[0]?.field).toBe("(Content-Type)");
    }
    // Parameters and case are no reason to refuse.
    expect((await sendChecked(endpoint, JSON.stringify(endpoint.body(1)), { "content-type": `${endpoint.contentType.split(";")[0]!.toUpperCase()}; Charset="UTF-8"` })).status).not.toBe(415);
  });

  it.each(endpoints.map((e) => [e.name, e] as const))("%s: answers 413 naming the limit, by Content-Length or by the bytes of a chunked body", async (_name, endpoint) => {
    const declared = await sendChecked(endpoint, JSON.stringify(endpoint.body(1)), { "content-type": endpoint.contentType, "content-length": String(maxBodyBytes + 1) });
    expect(declared.status).toBe(413);
    expect(declared.error!.details?.limit).toBe(maxBodyBytes);
    expect(declared.error!.message).toContain(String(maxBodyBytes));
    // No Content-Length: 1 MiB chunks of spaces (valid JSON whitespace) until past the limit.
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    const chunks = Math.ceil(maxBodyBytes / chunk.length) + 1;
    const stream = () => {
      let sent = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < chunks) controller.enqueue(chunk);
          else controller.close();
        },
      });
    };
    const chunked = await sendChecked(endpoint, stream);
    expect(chunked.status).toBe(413);
    expect(chunked.error!.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("takes a real batch of 5,000 events well within the limit, as FHIR too (the larger form)", async () => {
    const events = Array.from({ length: 5_000 }, auditEvent);
    const json = JSON.stringify({ events });
    const bundle = JSON.stringify({ resourceType: "Bundle", type: "batch", entry: events.map((e) => ({ resource: toFhirAuditEvent(e), request: { method: "POST", url: "AuditEvent" } })) });
    const pretty = JSON.stringify(JSON.parse(bundle), null, 2);
    for (const text of [json, bundle, pretty]) expect(Buffer.byteLength(text)).toBeLessThan(maxBodyBytes / 2);
    const res = await post(auditFhir, pretty);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ accepted: 5_000, duplicates: 0 });
  });

  it("refuses invalid UTF-8 and a body that is not JSON with 422, naming the body", async () => {
    for (const endpoint of endpoints) {
      const bytes = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]); // {"a":"<CESU-8 of U+D800>"}
      const invalid = await sendChecked(endpoint, () => new ReadableStream({ pull: (c) => (c.enqueue(bytes), c.close()) }));
      expect(invalid.status).toBe(422);
      expect(invalid.error!.details?.issues?.[0]).toMatchObject({ field: "(body)", message: "not valid UTF-8 text" });
      const truncated = JSON.stringify(endpoint.body(2)).slice(0, -7);
      expect((await sendChecked(endpoint, truncated)).error!.details?.issues?.[0]).toMatchObject({ field: "(body)", message: "not valid JSON" });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The fuzz: a valid body, one place in it replaced (or one member added) with a random value.

const codeUnits = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const hostileText = fc.oneof(
  fc.constantFrom("\u0000", "\ud800", "\udc00", "a\ud83db", "x\udbff", "\udfff\ud800", "", " ", "null", "\ud83d\ude00", "\u202e", "x".repeat(70_000), "𝕄\u0000"),
  fc.string({ unit: codeUnits, maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
);
const hostileNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(2 ** 31, 2 ** 31 - 1, -(2 ** 31) - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 1e300, -1, 0, 0.5, 1e-300));
const hostileTime = fc.oneof(
  fc.constantFrom("0001-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "0000-01-01", "1989-12-31T23:59:59Z", "1990-01-01", "9999-12-31T23:59:59Z", "2026-02-30T00:00:00Z", "+275760-09-13T00:00:00Z", "2026-05-01T10:30:00.123456789+01:00", "0001"),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
);
const hostileMembers = fc
  .constantFrom('{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"x":1}}}', '{"prototype":1}', '{"a\\ud800":1}', '{"\\u0000":1}', '{"ok":{"__proto__":[]}}')
  .map((text) => JSON.parse(text) as Json);
// Deep enough to pass the limit wherever it lands; the cases above send 100,000 deep (fast-check
// itself cannot print a counterexample much deeper than this).
const deep = fc.integer({ min: maxJsonDepth - 3, max: 150 }).map((depth) => JSON.parse(nestedText(depth)) as Json);
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: hostileText, weight: 4 },
  { arbitrary: hostileNumber, weight: 2 },
  { arbitrary: hostileTime, weight: 2 },
  { arbitrary: hostileMembers, weight: 1 },
  { arbitrary: deep, weight: 1 },
  { arbitrary: fc.constantFrom<Json>(null, true, false, [], {}), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>, weight: 1 },
);
const memberName = fc.oneof(fc.constantFrom("__proto__", "constructor", "prototype", "extra", "a\ud800", "\u0000", "events", "id"), fc.string({ unit: codeUnits, maxLength: 8 }));

/** Every place in a JSON value (containers and leaves), as paths, without recursion. */
function placesOf(value: Json): (string | number)[][] {
  const out: (string | number)[][] = [];
  const stack: { v: Json; path: (string | number)[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    out.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, path: [...path, i] }));
    else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) stack.push({ v: x, path: [...path, k] });
  }
  return out;
}

/** Where a path is, as a refusal names it: the item of a batch and the field within it. */
function placeOf(endpoint: Endpoint, path: (string | number)[]): { item?: number; field: string } | null {
  if (!endpoint.items) return { field: path.join(".") };
  if (path[0] !== endpoint.items[0] || typeof path[1] !== "number") return null; // outside the items: no item to name
  const rest = path.slice(2);
  const inner = endpoint.itemPrefix.length && rest[0] === endpoint.itemPrefix[0] ? rest.slice(1) : rest;
  return { item: path[1], field: inner.join(".") };
}

const defineMember = (target: Record<string, Json>, name: string, value: Json) =>
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });

// Modest by default (the file runs in well under a minute per database); FUZZ_RUNS and FUZZ_SEED for a longer hunt.
const numRuns = Number(process.env.FUZZ_RUNS ?? 60);

describe.each(endpoints.map((e) => [e.name, e] as const))("fuzz %s", (_name, endpoint) => {
  it(`never answers 5xx, names the item and field of what it refuses, and then writes nothing (${numRuns} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.nat(), hostileValue, fc.boolean(), memberName, async (n, pick, value, addMember, name) => {
        const body = endpoint.body(n);
        const places = placesOf(body);
        const path = places[pick % places.length]!;
        let target: Json = body;
        for (const k of path.slice(0, -1)) target = (target as Record<string, Json>)[k as string]!;
        const container = target as Record<string, Json>;
        let place: { item?: number; field: string } | null;
        if (addMember && path.length > 0) {
          // A new member beside the picked place (a forbidden name, a lone surrogate, or any name).
          // In a list, the picked element is replaced instead.
          const isList = Array.isArray(container);
          defineMember(container, isList ? (path.at(-1) as string) : name, value);
          place = placeOf(endpoint, isList ? path : [...path.slice(0, -1), name]);
        } else if (path.length === 0) {
          place = null;
          const { status } = await sendChecked(endpoint, JSON.stringify(value));
          expect(status).not.toBe(200);
          return;
        } else {
          defineMember(container, path.at(-1) as string, value);
          place = placeOf(endpoint, path);
        }
        const { status, error } = await sendChecked(endpoint, JSON.stringify(body));
        if (status === 422 && place) expectNamed(error!, place);
        expect([200, 422]).toContain(status);
      }),
      { numRuns, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31), endOnFailure: true },
    );
  });
});
