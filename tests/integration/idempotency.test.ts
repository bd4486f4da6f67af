// Idempotency of the machine API is scoped to the owning trust (issue 11, point 6): one trust's
// event id or study UID never suppresses another trust's data; a retry with the same content is a
// duplicate; the same id with other content is a 409 that names the item and field and writes
// nothing of the batch.
import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as postEvents } from "@/app/api/v1/audit-events/route";
import { POST as postExams } from "@/app/api/v1/exams/route";
import { auditAlerts } from "@/db/schema";
import { verifyChain } from "@/lib/audit/verify";
import { testDatabase } from "../helpers/database";
import { accessEventBody, makeApiKey, postJson } from "../helpers/api";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";

let rhu: TestTrust;
let rhm: TestTrust;
let rhuKey: string;
let rhmKey: string;
let radiologist: string;

beforeAll(async () => {
  rhu = await makeTrust();
  rhm = await makeTrust();
  rhuKey = await makeApiKey(["audit:write", "exams:write"], rhu.odsCode);
  rhmKey = await makeApiKey(["audit:write", "exams:write"], rhm.odsCode);
  radiologist = (await makeUser([{ role: "radiologist", trustId: rhu.id }])).email;
});

type ErrorBody = { error: { code: string; message: string; details: { issues: { path: string; item: number; field: string; message: string }[] } } };

/** An event about one of `trust`'s studies, as that trust's PACS reports it. */
const eventOf = (trust: TestTrust, overrides: Record<string, unknown> = {}) =>
  accessEventBody({ user: radiologist, actorTrust: rhu.odsCode, sourceTrust: trust.odsCode }, overrides);
const sendEvents = (key: string, events: unknown[]) => postEvents(postJson("/api/v1/audit-events", key, { events }));
const eventsIn = async (chain: string) => (await ownerQuery<{ n: number }>(sql`select count(*)::int as n from audit_events where chain = ${chain}`))[0]?.n ?? 0;

describe("audit events from two trusts with the same ids", () => {
  it("sent at the same time, are both stored, each on its own chain, and each chain verifies", async () => {
    const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const [a, b] = await Promise.all([
      sendEvents(rhuKey, ids.map((eventId) => eventOf(rhu, { eventId }))),
      sendEvents(rhmKey, ids.map((eventId) => eventOf(rhm, { eventId, purpose: "direct_care" }))),
    ]);
    expect(await a.json()).toEqual({ accepted: 3, duplicates: 0 });
    expect(await b.json()).toEqual({ accepted: 3, duplicates: 0 });
    for (const trust of [rhu, rhm]) {
      const rows = await ownerQuery<{ id: string }>(sql`select id from audit_events where chain = ${trust.id} and id = any(${`{${ids.join(",")}}`}::uuid[])`);
      expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
      expect(await verifyChain(testDatabase().db, trust.id)).toMatchObject({ ok: true });
    }
  });

  it("raise each trust's own alert", async () => {
    const eventId = crypto.randomUUID();
    const breakGlass = { eventId, purpose: "emergency", policy: null, breakGlassJustification: "Unconscious patient in ED resus" };
    const [a, b] = await Promise.all([sendEvents(rhuKey, [eventOf(rhu, breakGlass)]), sendEvents(rhmKey, [eventOf(rhm, breakGlass)])]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const alerts = await testDatabase().db.select({ trustId: auditAlerts.trustId }).from(auditAlerts).where(and(eq(auditAlerts.eventId, eventId), eq(auditAlerts.rule, "break_glass")));
    expect(alerts.map((r) => r.trustId).sort()).toEqual([rhu.id, rhm.id].sort());
  });
});

describe("audit events retried by the same trust", () => {
  it("with the same content are duplicates, even sent twice at the same time", async () => {
    const events = [eventOf(rhu), eventOf(rhu)];
    const before = await eventsIn(rhu.id);
    const answers = await Promise.all([sendEvents(rhuKey, events), sendEvents(rhuKey, events)]);
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { accepted: number; duplicates: number }[];
    expect(bodies.map((b) => b.accepted).sort()).toEqual([0, 2]);
    expect(bodies.map((b) => b.duplicates).sort()).toEqual([0, 2]);
    expect(await (await sendEvents(rhuKey, events)).json()).toEqual({ accepted: 0, duplicates: 2 });
    expect(await eventsIn(rhu.id)).toBe(before + 2);
    expect(await verifyChain(testDatabase().db, rhu.id)).toMatchObject({ ok: true });
  });

  it("with other content are a 409 naming the item and field, and nothing of the batch is written", async () => {
    const first = eventOf(rhu);
    expect((await sendEvents(rhuKey, [first])).status).toBe(200);
    const before = await eventsIn(rhu.id);
    const fresh = eventOf(rhu);
    const res = await sendEvents(rhuKey, [fresh, { ...first, purpose: "research" }]);
    expect(res.status).toBe(409);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe("CONFLICT");
    expect(body.error.details.issues).toEqual([expect.objectContaining({ path: "events.1.purpose", item: 1, field: "purpose" })]);
    expect(body.error.message).toContain("item 1, field purpose");
    expect(await eventsIn(rhu.id)).toBe(before);
    // The fresh event's id was not claimed by the refused batch: sent again alone, it is stored.
    expect(await (await sendEvents(rhuKey, [fresh])).json()).toEqual({ accepted: 1, duplicates: 0 });
  });

  it("repeated within one batch with other content are a 409 too", async () => {
    const before = await eventsIn(rhu.id);
    const one = eventOf(rhu);
    const res = await sendEvents(rhuKey, [one, eventOf(rhu), { ...one, occurredAt: "2026-05-01T11:30:00+01:00" }]);
    expect(res.status).toBe(409);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.details.issues).toEqual([expect.objectContaining({ path: "events.2.occurredAt", item: 2, field: "occurredAt" })]);
    expect(await eventsIn(rhu.id)).toBe(before);
    // The same instant written another way is the same content.
    expect(await (await sendEvents(rhuKey, [one, { ...one, occurredAt: "2026-05-01T09:30:00Z" }])).json()).toEqual({ accepted: 1, duplicates: 1 });
  });
});

let n = 0;
const examOf = (trust: TestTrust, over: Record<string, unknown> = {}) => ({
  studyInstanceUid: `1.2.826.0.1.3680043.14.${process.pid}.${++n}`,
  accessionNumber: `ACC${n}`,
  trust: trust.odsCode,
  site: `${trust.odsCode}1`,
  modality: "MR",
  performedAt: "2026-05-01T10:30:00+01:00",
  imageCount: 400,
  sizeBytes: 100_000_000,
  ...over,
});
const sendExams = (key: string, exams: unknown[]) => postExams(postJson("/api/v1/exams", key, { exams }));
const examsOf = async (trust: TestTrust) =>
  (await ownerQuery<{ n: number; bytes: number }>(sql`select count(*)::int as n, coalesce(sum(size_bytes), 0)::float8 as bytes from exams where trust_id = ${trust.id}`))[0]!;
const hourlyOf = async (trust: TestTrust) =>
  (await ownerQuery<{ n: number }>(sql`select coalesce(sum(exam_count), 0)::int as n from capacity_exams_hourly where trust_id = ${trust.id}`))[0]?.n ?? 0;

describe("exams from two trusts with the same study UIDs", () => {
  it("sent at the same time, are both stored and both counted in their trust's rollups", async () => {
    const uids = [examOf(rhu).studyInstanceUid, examOf(rhu).studyInstanceUid];
    const [beforeU, beforeM] = [await hourlyOf(rhu), await hourlyOf(rhm)];
    const [a, b] = await Promise.all([
      sendExams(rhuKey, uids.map((studyInstanceUid) => examOf(rhu, { studyInstanceUid }))),
      sendExams(rhmKey, uids.map((studyInstanceUid) => examOf(rhm, { studyInstanceUid, modality: "CT" }))),
    ]);
    expect(await a.json()).toEqual({ accepted: 2, duplicates: 0 });
    expect(await b.json()).toEqual({ accepted: 2, duplicates: 0 });
    const rows = await ownerQuery<{ trust_id: string }>(sql`select trust_id from exams where study_instance_uid = any(${`{${uids.join(",")}}`}::text[])`);
    expect(rows.filter((r) => r.trust_id === rhu.id)).toHaveLength(2);
    expect(rows.filter((r) => r.trust_id === rhm.id)).toHaveLength(2);
    expect([await hourlyOf(rhu), await hourlyOf(rhm)]).toEqual([beforeU + 2, beforeM + 2]);
  });
});

describe("exams retried by the same trust", () => {
  it("with the same content are duplicates; with other content a 409 naming the item and field, writing nothing", async () => {
    const one = examOf(rhu);
    expect(await (await sendExams(rhuKey, [one])).json()).toEqual({ accepted: 1, duplicates: 0 });
    // The same instant written another way is the same content.
    expect(await (await sendExams(rhuKey, [{ ...one, performedAt: "2026-05-01T09:30:00Z" }])).json()).toEqual({ accepted: 0, duplicates: 1 });
    const before = await examsOf(rhu);
    const hourly = await hourlyOf(rhu);
    const res = await sendExams(rhuKey, [examOf(rhu), { ...one, sizeBytes: 5 }]);
    expect(res.status).toBe(409);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe("CONFLICT");
    expect(body.error.details.issues).toEqual([expect.objectContaining({ path: "exams.1.sizeBytes", item: 1, field: "sizeBytes" })]);
    expect(await examsOf(rhu)).toEqual(before);
    expect(await hourlyOf(rhu)).toBe(hourly);
  });

  it("repeated within one batch with other content are a 409 too; the same content is a duplicate", async () => {
    const one = examOf(rhu);
    const before = await examsOf(rhu);
    const res = await sendExams(rhuKey, [one, examOf(rhu), { ...one, site: `${rhu.odsCode}1`, accessionNumber: "OTHER" }]);
    expect(res.status).toBe(409);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.details.issues).toEqual([expect.objectContaining({ path: "exams.2.accessionNumber", item: 2, field: "accessionNumber" })]);
    expect(await examsOf(rhu)).toEqual(before);
    expect(await (await sendExams(rhuKey, [one, one])).json()).toEqual({ accepted: 1, duplicates: 1 });
  });
});
