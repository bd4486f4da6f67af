// Exam and storage ingest: validation naming item and field, all-or-nothing batches, idempotency,
// and rollups that always equal the raw rows (property-based, with retries, repeats and corrections).
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { makeTrust, ownerQuery, type TestTrust } from "../helpers/factories";
import { testDatabase } from "../helpers/database";
import { ingestExams, ingestStorageUsage } from "@/lib/capacity/ingest";
import { rebuildRollups } from "@/lib/capacity/rollups";
import { recordAuditEvent } from "@/lib/audit/record";
import { withSystem } from "@/lib/db/scope";
import { AppError } from "@/lib/errors";

let a: TestTrust;
let b: TestTrust;
let siteCodeA: string;
let siteCodeB: string;
let uidCounter = 0;
const uid = () => `1.2.826.0.1.3680043.9.${process.pid}.${++uidCounter}`;

beforeAll(async () => {
  a = await makeTrust();
  b = await makeTrust();
  siteCodeA = `${a.odsCode}1`;
  siteCodeB = `${b.odsCode}1`;
});

const exam = (over: Record<string, unknown> = {}) => ({
  studyInstanceUid: uid(),
  accessionNumber: "ACC0001",
  trust: a.odsCode,
  site: siteCodeA,
  modality: "CT",
  performedAt: "2025-03-04T09:15:00Z",
  imageCount: 120,
  sizeBytes: 150_000_000,
  ...over,
});

async function fieldErrorsOf(promise: Promise<unknown>): Promise<Record<string, string[]>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError && error.code === "VALIDATION") return error.details?.fieldErrors ?? {};
    throw error;
  }
  throw new Error("expected a validation error");
}

/** Rows where a rollup and the aggregate of the raw rows disagree (empty when they agree). */
async function rollupMismatches() {
  const checks = {
    hourly: sql`select trust_id, hour, site_id, modality, exam_count, size_bytes from capacity_exams_hourly`,
    hourlyRaw: sql`select trust_id, date_trunc('hour', performed_at, 'UTC'), site_id, modality, count(*), sum(size_bytes)::bigint from exams group by 1, 2, 3, 4`,
    daily: sql`select trust_id, day, site_id, modality, exam_count, size_bytes, hour_counts from capacity_exams_daily`,
    // The hours written out here rather than through the helper the code uses, so a slip there shows.
    dailyRaw: sql`select p.trust_id, p.day, p.site_id, p.modality, p.n, p.b, hc.arr from
      (select trust_id, (performed_at at time zone 'Europe/London')::date as day, site_id, modality, count(*) as n, sum(size_bytes)::bigint as b
         from exams group by 1, 2, 3, 4) p,
      lateral (select array_agg((select count(*) from exams e
                 where e.trust_id = p.trust_id and e.site_id = p.site_id and e.modality = p.modality
                   and (e.performed_at at time zone 'Europe/London')::date = p.day
                   and extract(hour from e.performed_at at time zone 'Europe/London') = g)::integer order by g) as arr
                 from generate_series(0, 23) as g) hc`,
    consortium: sql`select day, modality, exam_count, size_bytes from capacity_consortium_exams_daily`,
    consortiumRaw: sql`select (performed_at at time zone 'Europe/London')::date, modality, count(*), sum(size_bytes)::bigint from exams group by 1, 2`,
    storage: sql`select trust_id, tier, day, modality, bytes from capacity_storage_daily`,
    storageRaw: sql`select trust_id, tier, usage_date, modality, bytes from storage_usage`,
    storageTotal: sql`select tier, day, bytes from capacity_consortium_storage_daily where bytes <> 0`,
    storageTotalRaw: sql`select tier, usage_date, sum(bytes)::bigint from storage_usage group by 1, 2 having sum(bytes) <> 0`,
    views: sql`select source_trust_id, actor_trust_id, day, view_count from capacity_cross_trust_daily`,
    viewsRaw: sql`select source_trust_id, actor_trust_id, (occurred_at at time zone 'Europe/London')::date, count(*) from audit_events
      where action = 'study.view' and outcome = 'success' and source_trust_id <> actor_trust_id group by 1, 2, 3`,
  };
  const out: Record<string, unknown[]> = {};
  for (const name of ["hourly", "daily", "consortium", "storage", "storageTotal", "views"] as const) {
    const rollup = checks[name];
    const raw = checks[`${name}Raw` as keyof typeof checks];
    const diff = await ownerQuery(sql`(${rollup} except all ${raw}) union all (${raw} except all ${rollup})`);
    if (diff.length) out[name] = diff;
  }
  return out;
}

describe("exam ingest", () => {
  it("stores a batch, and a retried batch stores nothing twice", async () => {
    const batch = { exams: [exam(), exam({ modality: "MR", site: siteCodeA.toLowerCase() }), exam({ trust: b.odsCode, site: siteCodeB })] };
    expect(await ingestExams({ all: true }, batch)).toEqual({ accepted: 3, duplicates: 0 });
    expect(await ingestExams({ all: true }, batch)).toEqual({ accepted: 0, duplicates: 3 });
    const [row] = await ownerQuery<{ n: number }>(
      sql`select count(*)::int as n from exams where study_instance_uid in (${sql.join(batch.exams.map((e) => sql`${e.studyInstanceUid}`), sql`, `)})`,
    );
    expect(row?.n).toBe(3);
    expect(await rollupMismatches()).toEqual({});
  });

  it("counts a repeat inside one batch as a duplicate", async () => {
    const one = exam();
    expect(await ingestExams({ all: true }, { exams: [one, one, exam()] })).toEqual({ accepted: 2, duplicates: 1 });
  });

  it.each([
    ["studyInstanceUid", { studyInstanceUid: "not-a-uid" }],
    ["studyInstanceUid", { studyInstanceUid: "1.02.3" }],
    ["accessionNumber", { accessionNumber: "" }],
    ["trust", { trust: "toolongcode" }],
    ["site", { site: "R1" }],
    ["modality", { modality: "XR" }],
    ["performedAt", { performedAt: "2025-03-04 09:15" }],
    ["performedAt", { performedAt: "2999-01-01T00:00:00Z" }],
    ["imageCount", { imageCount: -1 }],
    ["imageCount", { imageCount: 1.5 }],
    ["sizeBytes", { sizeBytes: "12" }],
  ])("names exams.1.%s when it is wrong, and stores nothing", async (field, over) => {
    const good = exam();
    const errors = await fieldErrorsOf(ingestExams({ all: true }, { exams: [good, exam(over)] }));
    expect(Object.keys(errors)).toEqual([`exams.1.${field}`]);
    const rows = await ownerQuery(sql`select 1 from exams where study_instance_uid = ${good.studyInstanceUid}`);
    expect(rows).toEqual([]);
  });

  it("names an unknown trust, a site of another trust, and a trust outside the client's scope", async () => {
    const good = exam();
    const errors = await fieldErrorsOf(
      ingestExams({ all: true }, { exams: [good, exam({ trust: "ZZZZ9" }), exam({ site: siteCodeB })] }),
    );
    expect(Object.keys(errors).sort()).toEqual(["exams.1.trust", "exams.2.site"]);
    await expect(ingestExams({ all: false, trustIds: [a.id] }, { exams: [exam(), exam({ trust: b.odsCode, site: siteCodeB })] })).rejects.toSatisfy(
      (e: unknown) => e instanceof AppError && e.code === "FORBIDDEN" && Object.keys(e.details?.fieldErrors ?? {}).join() === "exams.1.trust",
    );
    expect(await ownerQuery(sql`select 1 from exams where study_instance_uid = ${good.studyInstanceUid}`)).toEqual([]);
  });

  it("refuses an empty batch and a batch that is not one", async () => {
    expect(Object.keys(await fieldErrorsOf(ingestExams({ all: true }, { exams: [] })))).toEqual(["exams"]);
    expect(Object.keys(await fieldErrorsOf(ingestExams({ all: true }, [exam()])))).toEqual(["_form"]);
  });
});

describe("storage usage ingest", () => {
  const snap = (over: Record<string, unknown> = {}) => ({ trust: a.odsCode, tier: "online", date: "2025-03-04", modality: "CT", bytes: 1000, ...over });

  it("is idempotent on (trust, tier, date, modality) and takes a corrected figure", async () => {
    const batch = { usage: [snap(), snap({ tier: "archive" }), snap({ trust: b.odsCode })] };
    expect(await ingestStorageUsage({ all: true }, batch)).toEqual({ accepted: 3, duplicates: 0 });
    expect(await ingestStorageUsage({ all: true }, batch)).toEqual({ accepted: 0, duplicates: 3 });
    expect(await ingestStorageUsage({ all: true }, { usage: [snap({ bytes: 1500 })] })).toEqual({ accepted: 1, duplicates: 0 });
    const rows = await ownerQuery<{ bytes: string }>(
      sql`select bytes::text from capacity_consortium_storage_daily where tier = 'online' and day = '2025-03-04'`,
    );
    expect(rows[0]?.bytes).toBe("2500");
    expect(await rollupMismatches()).toEqual({});
  });

  it.each([
    ["tier", { tier: "cold" }],
    ["date", { date: "2025-02-30" }],
    ["modality", { modality: "" }],
    ["bytes", { bytes: -5 }],
    ["trust", { trust: "a" }],
  ])("names usage.1.%s when it is wrong", async (field, over) => {
    const errors = await fieldErrorsOf(ingestStorageUsage({ all: true }, { usage: [snap({ date: "2025-01-01" }), snap(over)] }));
    expect(Object.keys(errors)).toEqual([`usage.1.${field}`]);
  });

  it("refuses two figures for the same key in one batch", async () => {
    const errors = await fieldErrorsOf(ingestStorageUsage({ all: true }, { usage: [snap(), snap({ bytes: 9 })] }));
    expect(Object.keys(errors)).toEqual(["usage.1.date"]);
  });
});

describe("rollups", () => {
  it("equal the raw rows after any sequence of ingests, retries and corrections, and after a rebuild", async () => {
    const trustArb = fc.constantFrom<"a" | "b">("a", "b");
    const examArb = fc.record({
      uidIndex: fc.nat({ max: 400 }),
      trust: trustArb,
      modality: fc.constantFrom("CT", "MR", "DX", "US", "MG"),
      // Around the 2025 clock changes, so that UTC and London days and hours differ.
      performedAt: fc.integer({ min: Date.UTC(2025, 2, 29), max: Date.UTC(2025, 3, 2) }).map((ms) => new Date(ms).toISOString()),
      sizeBytes: fc.integer({ min: 0, max: 5_000_000_000 }),
    });
    const usageArb = fc.record({
      trust: trustArb,
      tier: fc.constantFrom("online", "archive"),
      day: fc.integer({ min: 1, max: 5 }),
      modality: fc.constantFrom("CT", "MR"),
      bytes: fc.integer({ min: 0, max: 1e12 }),
    });
    const viewArb = fc.record({ source: trustArb, actor: trustArb, minutes: fc.integer({ min: 0, max: 5 * 24 * 60 }), outcome: fc.constantFrom("success", "denied") });
    const runPrefix = `1.2.826.0.1.3680043.10.${process.pid}`;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(examArb, { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 4 }),
        fc.array(usageArb, { maxLength: 20 }),
        fc.array(viewArb, { maxLength: 8 }),
        async (examBatches, usage, views) => {
          run++;
          const t = { a, b };
          for (const batch of examBatches) {
            // A small pool of UIDs per run, so retries and repeats happen often: an even uidIndex
            // sends the UID's one content (a faithful retry), an odd one random content (a reused
            // UID, refused as a conflict with nothing written unless it is the UID's first report).
            const sent = ingestExams(
              { all: true },
              {
                exams: batch.map((e) => {
                  const uid = e.uidIndex % 25;
                  const faithful = e.uidIndex % 2 === 0;
                  return {
                    studyInstanceUid: `${runPrefix}.${run}.${uid}`,
                    accessionNumber: faithful ? `A${uid}` : `A${e.uidIndex}`,
                    trust: t[e.trust].odsCode,
                    site: `${t[e.trust].odsCode}1`,
                    modality: faithful ? "CT" : e.modality,
                    performedAt: faithful ? new Date(Date.UTC(2025, 2, 30, uid)).toISOString() : e.performedAt,
                    imageCount: 1,
                    sizeBytes: faithful ? uid * 1000 : e.sizeBytes,
                  };
                }),
              },
            );
            await sent.catch((error: unknown) => {
              if (!(error instanceof AppError && error.code === "CONFLICT")) throw error;
            });
          }
          // One snapshot per key per batch; later batches correct earlier figures.
          const seen = new Set<string>();
          for (const u of usage) {
            const item = { trust: t[u.trust].odsCode, tier: u.tier, date: `2025-04-0${u.day}`, modality: u.modality, bytes: u.bytes };
            const key = JSON.stringify({ ...item, bytes: 0 });
            if (seen.has(key)) continue;
            seen.add(key);
            await ingestStorageUsage({ all: true }, { usage: [item] });
          }
          await withSystem(async (tx) => {
            for (const v of views) {
              await recordAuditEvent(tx, {
                action: "study.view",
                outcome: v.outcome as "success" | "denied",
                actor: { email: "viewer@test.example", trustId: t[v.actor].id, role: "radiologist" },
                sourceTrustId: t[v.source].id,
                occurredAt: new Date(Date.UTC(2025, 2, 29) + v.minutes * 60_000),
              });
            }
          });
          expect(await rollupMismatches()).toEqual({});
        },
      ),
      { numRuns: 12 },
    );
    const before = await ownerQuery(sql`select * from capacity_exams_daily order by 1, 2, 3, 4`);
    await rebuildRollups(testDatabase().db);
    expect(await ownerQuery(sql`select * from capacity_exams_daily order by 1, 2, 3, 4`)).toEqual(before);
    expect(await rollupMismatches()).toEqual({});
  });
});
