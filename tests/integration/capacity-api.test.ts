// The machine API for capacity: POST /api/v1/exams and POST /api/v1/storage-usage with real keys.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as postExams } from "@/app/api/v1/exams/route";
import { POST as postUsage } from "@/app/api/v1/storage-usage/route";
import { makeApiKey, postJson } from "../helpers/api";
import { makeTrust, ownerQuery, type TestTrust } from "../helpers/factories";

let a: TestTrust;
let b: TestTrust;
let consortiumKey: string;
let trustKey: string;
let auditOnlyKey: string;
let n = 0;

beforeAll(async () => {
  a = await makeTrust();
  b = await makeTrust();
  consortiumKey = await makeApiKey(["exams:write", "storage:write"]);
  trustKey = await makeApiKey(["exams:write", "storage:write"], a.odsCode);
  auditOnlyKey = await makeApiKey(["audit:write"]);
});

const exam = (over: Record<string, unknown> = {}) => ({
  studyInstanceUid: `1.2.826.0.1.3680043.12.${process.pid}.${++n}`,
  accessionNumber: `ACC${n}`,
  trust: a.odsCode,
  site: `${a.odsCode}1`,
  modality: "MR",
  performedAt: "2026-05-01T10:30:00+01:00",
  imageCount: 400,
  sizeBytes: 100_000_000,
  ...over,
});
const sendExams = (exams: unknown[], key: string | null = consortiumKey) => postExams(postJson("/api/v1/exams", key, { exams }));
const sendUsage = (usage: unknown[], key: string | null = consortiumKey) => postUsage(postJson("/api/v1/storage-usage", key, { usage }));

describe("POST /api/v1/exams", () => {
  it("stores a batch, and a retried batch stores nothing twice", async () => {
    const batch = [exam(), exam({ trust: b.odsCode, site: `${b.odsCode}1` })];
    const first = await sendExams(batch);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ accepted: 2, duplicates: 0 });
    expect(await (await sendExams(batch)).json()).toEqual({ accepted: 0, duplicates: 2 });
    const [row] = await ownerQuery<{ performed_at: Date; trust_id: string }>(
      sql`select performed_at, trust_id from exams where study_instance_uid = ${batch[0]!.studyInstanceUid}`,
    );
    expect(new Date(row!.performed_at).toISOString()).toBe("2026-05-01T09:30:00.000Z");
    expect(row?.trust_id).toBe(a.id);
  });

  it("answers 422 naming the item and field, and stores nothing", async () => {
    const good = exam();
    const res = await sendExams([good, exam({ modality: "XR" }), exam({ sizeBytes: -1 })]);
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.code).toBe("VALIDATION");
    expect(body.error.details.issues.map((i: { item: number; field: string }) => [i.item, i.field])).toEqual([
      [1, "modality"],
      [2, "sizeBytes"],
    ]);
    expect(await ownerQuery(sql`select 1 from exams where study_instance_uid = ${good.studyInstanceUid}`)).toEqual([]);
  });

  it("answers 422 naming the item and field of a NUL character in any string, and stores nothing", async () => {
    const good = exam();
    const res = await sendExams([good, exam({ accessionNumber: "ACC\u00001" })]);
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.details.issues.map((i: { item: number; field: string }) => [i.item, i.field])).toEqual([[1, "accessionNumber"]]);
    expect(body.error.message).toContain("item 1, field accessionNumber");
    expect(await ownerQuery(sql`select 1 from exams where study_instance_uid = ${good.studyInstanceUid}`)).toEqual([]);
  });

  it("answers 422 for an unknown trust or site, naming the item", async () => {
    const res = await sendExams([exam(), exam({ site: "ZZZZ9" })]);
    expect(res.status).toBe(422);
    expect((await res.json()).error.details.issues).toEqual([{ path: "exams.1.site", item: 1, field: "site", message: expect.stringContaining("ZZZZ9") }]);
  });

  it("lets a trust's client send its own trust's exams only", async () => {
    expect((await sendExams([exam()], trustKey)).status).toBe(200);
    const res = await sendExams([exam(), exam({ trust: b.odsCode, site: `${b.odsCode}1` })], trustKey);
    expect(res.status).toBe(403);
    expect((await res.json()).error.details.issues[0]).toMatchObject({ item: 1, field: "trust" });
  });

  it("refuses a missing key, and a key without the exams:write scope", async () => {
    expect((await sendExams([exam()], null)).status).toBe(401);
    expect((await sendExams([exam()], auditOnlyKey)).status).toBe(403);
  });
});

describe("POST /api/v1/storage-usage", () => {
  const snap = (over: Record<string, unknown> = {}) => ({ trust: a.odsCode, tier: "archive", date: "2026-05-01", modality: "MR", bytes: 5e9, ...over });

  it("stores snapshots idempotently and names bad items", async () => {
    const batch = [snap(), snap({ tier: "online" })];
    expect(await (await sendUsage(batch)).json()).toEqual({ accepted: 2, duplicates: 0 });
    expect(await (await sendUsage(batch)).json()).toEqual({ accepted: 0, duplicates: 2 });
    const bad = await sendUsage([snap({ date: "2026-05-02" }), snap({ tier: "tape" })]);
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.details.issues[0]).toMatchObject({ item: 1, field: "tier" });
    expect((await sendUsage([snap({ trust: b.odsCode })], trustKey)).status).toBe(403);
  });
});
