// Who sees which capacity figures: a trust's CIO sees their own trust and consortium totals, never
// another trust's figures (through lib/ and through row-level security on its own); the quota
// request workflow with its permissions and audit records.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "@/db/client";
import { testDatabase } from "../helpers/database";
import { dbErrorOf, makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";
import { recordAuditEvent } from "@/lib/audit/record";
import { decideQuotaRequest, requestQuotaChange } from "@/lib/capacity/commands";
import { addDays } from "@/lib/calendar";
import { parseCapacityFilter } from "@/lib/capacity/filter";
import { ingestExams, ingestStorageUsage } from "@/lib/capacity/ingest";
import { getCapacityChoices, getQuotaWarnings, getStorage, getThroughput } from "@/lib/capacity/queries";
import { withSystem } from "@/lib/db/scope";
import { AppError } from "@/lib/errors";

const today = "2025-04-10";
let a: TestTrust;
let b: TestTrust;
let cioA: Ctx;
let cioB: Ctx;
let pacsA: Ctx;
let consortiumCio: Ctx;
let igA: Ctx;
let n = 0;

async function examsFor(t: TestTrust, count: number, modality: string, day: string) {
  const exams = Array.from({ length: count }, (_, i) => ({
    studyInstanceUid: `1.2.826.0.1.3680043.11.${process.pid}.${++n}`,
    accessionNumber: `ACC${n}`,
    trust: t.odsCode,
    site: `${t.odsCode}1`,
    modality,
    performedAt: `${day}T${String(9 + (i % 8)).padStart(2, "0")}:30:00Z`,
    imageCount: 10,
    sizeBytes: 1_000_000,
  }));
  await ingestExams({ all: true }, { exams });
}

/** 60 days of steady growth up to `today`, ending at `finalShare` of a 1 TB quota. */
async function storageFor(t: TestTrust, tier: "online" | "archive", finalShare: number) {
  await ownerQuery(sql`insert into storage_quotas (trust_id, tier, quota_bytes) values (${t.id}, ${tier}, ${1e12})
    on conflict (trust_id, tier) do update set quota_bytes = excluded.quota_bytes`);
  const usage = Array.from({ length: 60 }, (_, i) => ({
    trust: t.odsCode,
    tier,
    date: addDays(today, i - 59),
    modality: "CT",
    bytes: Math.round(1e12 * (finalShare - (59 - i) * 0.002)),
  }));
  await ingestStorageUsage({ all: true }, { usage });
}

beforeAll(async () => {
  a = await makeTrust();
  b = await makeTrust();
  cioA = await makeUser([{ role: "cio", trustId: a.id }]);
  cioB = await makeUser([{ role: "cio", trustId: b.id }]);
  pacsA = await makeUser([{ role: "pacs_manager", trustId: a.id }]);
  igA = await makeUser([{ role: "ig_officer", trustId: a.id }]);
  consortiumCio = await makeUser([{ role: "cio", trustId: null }], { homeTrustId: null });
  await examsFor(a, 7, "CT", "2025-04-01");
  await examsFor(b, 11, "MR", "2025-04-01");
  await examsFor(b, 5, "CT", "2025-04-02");
  await storageFor(a, "online", 0.85);
  await storageFor(b, "online", 0.97);
  await storageFor(a, "archive", 0.5);
  await withSystem(async (tx) => {
    const view = (source: TestTrust, actor: TestTrust) =>
      recordAuditEvent(tx, {
        action: "study.view",
        actor: { email: "viewer@test.example", trustId: actor.id, role: "radiologist" },
        sourceTrustId: source.id,
        occurredAt: new Date("2025-04-03T10:00:00Z"),
      });
    await view(a, b);
    await view(a, b);
    await view(b, a);
  });
});

const filter = (params: Record<string, string> = {}) => parseCapacityFilter({ from: "2025-03-01", to: today, ...params }, today);
const isNotFound = (e: unknown) => e instanceof AppError && e.code === "NOT_FOUND";

describe("throughput", () => {
  it("shows a trust's CIO their own trust beside consortium totals only", async () => {
    const view = await getThroughput(cioA, filter(), today);
    expect(view.trustOptions.map((t) => t.odsCode)).toEqual([a.odsCode]);
    expect(view.total).toBe(7);
    expect(view.modalityMix.map((m) => m.modality)).toEqual(["CT"]);
    expect(view.daily.find((d) => d.day === "2025-04-01")?.count).toBe(7);
    // Consortium totals include the other trust, as totals (and at least this file's exams).
    expect(view.consortiumDaily?.find((d) => d.day === "2025-04-01")?.count).toBeGreaterThanOrEqual(18);
    expect(view.heatmap.flat().reduce((s, c) => s + c, 0)).toBe(7);
    expect(view.crossTrust).toEqual({ kind: "own", rows: [{ odsCode: a.odsCode, name: expect.any(String), viewedByOthers: 2, viewingOthers: 1 }] });
    // Nothing in the view names the other trust.
    expect(JSON.stringify(view)).not.toContain(b.odsCode);
    expect(JSON.stringify(view)).not.toContain(b.id);
  });

  it("answers not found for another trust or another trust's site", async () => {
    await expect(getThroughput(cioA, filter({ trust: b.odsCode }), today)).rejects.toSatisfy(isNotFound);
    await expect(getThroughput(cioA, filter({ site: `${b.odsCode}1` }), today)).rejects.toSatisfy(isNotFound);
    await expect(getStorage(cioA, filter({ trust: b.odsCode }), today)).rejects.toSatisfy(isNotFound);
    await expect(getCapacityChoices(cioA, filter({ trust: b.odsCode }))).rejects.toSatisfy(isNotFound);
    await expect(getCapacityChoices(cioA, filter({ site: `${b.odsCode}1` }))).rejects.toSatisfy(isNotFound);
    expect(await getCapacityChoices(cioA, filter())).toEqual({
      scopeLabel: expect.stringContaining(a.odsCode),
      trustOptions: [{ odsCode: a.odsCode, name: expect.any(String) }],
      siteOptions: [{ code: `${a.odsCode}1`, name: expect.any(String) }],
    });
  });

  it("answers not found to a role without capacity.read", async () => {
    await expect(getThroughput(igA, filter(), today)).rejects.toSatisfy(isNotFound);
    await expect(getStorage(igA, filter(), today)).rejects.toSatisfy(isNotFound);
    expect(await getQuotaWarnings(igA, today)).toEqual([]);
  });

  it("shows the consortium CIO every trust and the full viewing matrix", async () => {
    const view = await getThroughput(consortiumCio, filter({ trust: b.odsCode }), today);
    expect(view.total).toBe(16);
    expect(view.modalityMix).toMatchObject([{ modality: "MR", count: 11 }, { modality: "CT", count: 5 }]);
    const filtered = await getThroughput(consortiumCio, filter({ trust: b.odsCode, modality: "CT" }), today);
    expect(filtered.total).toBe(5);
    const whole = await getThroughput(consortiumCio, filter(), today);
    expect(whole.consortiumDaily).toBeNull();
    expect(whole.crossTrust.kind).toBe("matrix");
    if (whole.crossTrust.kind === "matrix") {
      const ia = whole.crossTrust.trusts.findIndex((t) => t.odsCode === a.odsCode);
      const ib = whole.crossTrust.trusts.findIndex((t) => t.odsCode === b.odsCode);
      expect(whole.crossTrust.cells[ia]?.[ib]).toBe(2);
      expect(whole.crossTrust.cells[ib]?.[ia]).toBe(1);
    }
  });
});

describe("storage", () => {
  it("shows a trust's CIO their own quotas, usage and forecast only", async () => {
    const view = await getStorage(cioA, filter(), today);
    expect(new Set(view.usage.map((u) => u.odsCode))).toEqual(new Set([a.odsCode]));
    const online = view.usage.find((u) => u.tier === "online");
    expect(online).toMatchObject({ level: "warning", quotaBytes: 1e12 });
    expect(online?.forecast.status).toBe("projected");
    if (online?.forecast.status === "projected") {
      // 85% full, growing 0.2% of the quota a day: 15% left is 75 days.
      expect(online.forecast.exhaustionDay).toBe(addDays(today, 75));
    }
    expect(JSON.stringify(view)).not.toContain(b.odsCode);
    expect(view.consortiumGrowth.length).toBeGreaterThan(0);
  });

  it("warns at 80% and 95%, each caller for their own trusts", async () => {
    expect((await getQuotaWarnings(cioA, today)).map((w) => [w.odsCode, w.tier, w.level])).toEqual([[a.odsCode, "online", "warning"]]);
    expect((await getQuotaWarnings(cioB, today)).map((w) => [w.odsCode, w.tier, w.level])).toEqual([[b.odsCode, "online", "critical"]]);
    const all = (await getQuotaWarnings(consortiumCio, today)).filter((w) => [a.odsCode, b.odsCode].includes(w.odsCode));
    expect(all.map((w) => w.odsCode)).toEqual([b.odsCode, a.odsCode]);
  });
});

describe("row-level security on its own", () => {
  async function asApp<T>(trustId: string, fn: (q: (query: ReturnType<typeof sql>) => Promise<unknown[]>) => Promise<T>) {
    return testDatabase().db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', 'mosaic_app', true), set_config('mosaic.trust_ids', ${`{${trustId}}`}, true), set_config('mosaic.scope_all', 'off', true)`);
      return fn(async (query) => rowsOf(await tx.execute(query)));
    });
  }

  it("hides every capacity row of another trust, and keeps consortium totals readable", async () => {
    const seen = await asApp(a.id, async (q) => ({
      exams: await q(sql`select trust_id from exams where trust_id = ${b.id}`),
      hourly: await q(sql`select trust_id from capacity_exams_hourly where trust_id = ${b.id}`),
      daily: await q(sql`select trust_id from capacity_exams_daily where trust_id = ${b.id}`),
      storage: await q(sql`select trust_id from capacity_storage_daily where trust_id = ${b.id}`),
      usage: await q(sql`select trust_id from storage_usage where trust_id = ${b.id}`),
      quotas: await q(sql`select trust_id from storage_quotas where trust_id = ${b.id}`),
      views: await q(sql`select * from capacity_cross_trust_daily where source_trust_id <> ${a.id} and actor_trust_id <> ${a.id}`),
      totals: await q(sql`select * from capacity_consortium_exams_daily`),
      updated: await q(sql`update storage_quotas set quota_bytes = 1 where trust_id = ${b.id} returning trust_id`),
    }));
    expect(seen).toMatchObject({ exams: [], hourly: [], daily: [], storage: [], usage: [], quotas: [], views: [], updated: [] });
    expect(seen.totals.length).toBeGreaterThan(0);
    expect(
      await dbErrorOf(
        asApp(a.id, (q) =>
          q(sql`insert into exams (study_instance_uid, trust_id, site_id, accession_number, modality, performed_at, image_count, size_bytes)
                values ('1.2.3.999', ${b.id}, ${b.siteId}, 'X', 'CT', now(), 1, 1)`),
        ),
      ),
    ).toMatch(/row-level security/);
    expect(await dbErrorOf(asApp(a.id, (q) => q(sql`delete from exams`)))).toMatch(/permission denied/);
  });
});

describe("quota change requests", () => {
  it("a PACS manager requests, the trust's CIO approves, both audited, and the quota changes", async () => {
    const requested = await requestQuotaChange(pacsA, { trust: a.odsCode, tier: "online", requestedTerabytes: "1.5", reason: "Breast screening tomosynthesis goes live in May." });
    expect(requested.ok).toBe(true);
    if (!requested.ok) return;
    const again = await requestQuotaChange(pacsA, { trust: a.odsCode, tier: "online", requestedTerabytes: "2", reason: "Asking twice before a decision." });
    expect(again).toMatchObject({ ok: false, error: { code: "CONFLICT", fieldErrors: { tier: [expect.any(String)] } } });

    expect(await decideQuotaRequest(pacsA, { requestId: requested.data.id, decision: "approve" })).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(await decideQuotaRequest(cioB, { requestId: requested.data.id, decision: "approve" })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });

    const view = await getStorage(cioA, filter(), today);
    expect(view.requests.find((r) => r.id === requested.data.id)).toMatchObject({ status: "pending", canDecide: true, requestedQuotaBytes: 1.5e12 });

    expect(await decideQuotaRequest(cioA, { requestId: requested.data.id, decision: "approve", note: "Agreed at the capacity board." })).toEqual({
      ok: true,
      data: { id: requested.data.id, status: "approved" },
    });
    const [quota] = await ownerQuery<{ q: string }>(sql`select quota_bytes::text as q from storage_quotas where trust_id = ${a.id} and tier = 'online'`);
    expect(quota?.q).toBe("1500000000000");
    expect(await decideQuotaRequest(cioA, { requestId: requested.data.id, decision: "decline" })).toMatchObject({ ok: false, error: { code: "CONFLICT" } });

    const audit = await ownerQuery<{ action: string; actor_user_id: string; details: Record<string, unknown> }>(
      sql`select action, actor_user_id, details from audit_events where target_id = ${requested.data.id} order by seq`,
    );
    expect(audit.map((e) => [e.action, e.actor_user_id])).toEqual([
      ["quota.request", pacsA.userId],
      ["quota.approve", cioA.userId],
    ]);
    expect(audit[1]?.details).toMatchObject({ before: { quotaBytes: 1e12 }, after: { quotaBytes: 1.5e12 } });
    // The warning went away with the larger quota.
    expect(await getQuotaWarnings(cioA, today)).toEqual([]);
  });

  it("a CIO declines, and the quota stays", async () => {
    const requested = await requestQuotaChange(pacsA, { trust: a.odsCode, tier: "archive", requestedTerabytes: 9, reason: "Migrating the legacy archive next year." });
    if (!requested.ok) throw new Error(requested.error.message);
    expect(await decideQuotaRequest(consortiumCio, { requestId: requested.data.id, decision: "decline", note: "Not funded this year." })).toMatchObject({
      ok: true,
      data: { status: "declined" },
    });
    const [quota] = await ownerQuery<{ q: string }>(sql`select quota_bytes::text as q from storage_quotas where trust_id = ${a.id} and tier = 'archive'`);
    expect(quota?.q).toBe("1000000000000");
    const [event] = await ownerQuery<{ action: string }>(sql`select action from audit_events where target_id = ${requested.data.id} and action = 'quota.decline'`);
    expect(event?.action).toBe("quota.decline");
  });

  it("only a PACS manager requests, and never for another trust", async () => {
    const input = { trust: a.odsCode, tier: "online", requestedTerabytes: 3, reason: "More space for cardiac CT." };
    expect(await requestQuotaChange(cioA, input)).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(await requestQuotaChange(pacsA, { ...input, trust: b.odsCode })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
  });

  it.each([
    ["trust", { trust: "x" }],
    ["tier", { tier: "cold" }],
    ["requestedTerabytes", { requestedTerabytes: "lots" }],
    ["requestedTerabytes", { requestedTerabytes: 0 }],
    ["reason", { reason: "more" }],
  ])("names %s when it is wrong", async (field, over) => {
    const result = await requestQuotaChange(pacsA, { trust: a.odsCode, tier: "online", requestedTerabytes: 2, reason: "A good reason to change it.", ...over });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.error.fieldErrors ?? {})).toEqual([field]);
  });
});
