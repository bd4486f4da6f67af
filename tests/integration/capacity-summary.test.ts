// The board's capacity summary (issue 12): scoped as every capacity page is. A trust's CIO sees
// their own trust's storage runway and the consortium's run rate, never another trust's figures;
// someone without capacity.read gets NOT_FOUND.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";
import { addDays } from "@/lib/calendar";
import { ingestExams, ingestStorageUsage } from "@/lib/capacity/ingest";
import { getBoardSummary } from "@/lib/capacity/summary";
import { AppError } from "@/lib/errors";

const today = "2025-04-10";
let a: TestTrust;
let b: TestTrust;
let cioA: Ctx;
let consortiumCio: Ctx;
let igA: Ctx;
let n = 0;

async function examsFor(t: TestTrust, count: number, day: string) {
  const exams = Array.from({ length: count }, () => ({
    studyInstanceUid: `1.2.826.0.1.3680043.12.${process.pid}.${++n}`,
    accessionNumber: `ACC${n}`,
    trust: t.odsCode,
    site: `${t.odsCode}1`,
    modality: "CT",
    performedAt: `${day}T10:30:00Z`,
    imageCount: 10,
    sizeBytes: 1_000_000,
  }));
  await ingestExams({ all: true }, { exams });
}

/** 60 days of steady growth up to `today` of a 1 TB quota, ending at `finalShare`. */
async function storageFor(t: TestTrust, finalShare: number) {
  await ownerQuery(sql`insert into storage_quotas (trust_id, tier, quota_bytes) values (${t.id}, 'online', ${1e12})
    on conflict (trust_id, tier) do update set quota_bytes = excluded.quota_bytes`);
  const usage = Array.from({ length: 60 }, (_, i) => ({ trust: t.odsCode, tier: "online", date: addDays(today, i - 59), modality: "CT", bytes: Math.round(1e12 * (finalShare - (59 - i) * 0.002)) }));
  await ingestStorageUsage({ all: true }, { usage });
}

beforeAll(async () => {
  a = await makeTrust();
  b = await makeTrust();
  cioA = await makeUser([{ role: "cio", trustId: a.id }]);
  consortiumCio = await makeUser([{ role: "cio", trustId: null }], { homeTrustId: null });
  igA = await makeUser([{ role: "ig_officer", trustId: a.id }]);
  await examsFor(a, 30, "2025-02-03");
  await examsFor(b, 10, "2025-02-04");
  await examsFor(a, 20, "2024-02-05");
  await storageFor(a, 0.9);
  await storageFor(b, 0.5);
});

describe("the board summary", () => {
  it("gives a trust's CIO their own trust's runway and the consortium's run rate, never another trust's", async () => {
    const s = await getBoardSummary(cioA, today);
    expect(s.runway.map((r) => r.odsCode)).toEqual([a.odsCode, a.odsCode]);
    const online = s.runway.find((r) => r.tier === "online");
    expect(online).toMatchObject({ share: 0.9, status: "projected" });
    // 0.002 of 1 TB a day: 0.1 TB left lasts 50 days.
    expect(online?.runwayDays).toBe(50);
    expect(s.atRisk.map((r) => r.odsCode)).toEqual([a.odsCode]);
    // The run rate is the consortium's, as the contract is (a total, not B's own figure).
    expect(s.runRate.yearToDate).toBeGreaterThanOrEqual(40);
    expect(JSON.stringify(s)).not.toContain(b.odsCode);
  });

  it("gives the consortium's CIO every trust's runway", async () => {
    const s = await getBoardSummary(consortiumCio, today);
    expect(new Set(s.runway.map((r) => r.odsCode))).toEqual(new Set([a.odsCode, b.odsCode]));
    expect(s.runway.find((r) => r.odsCode === b.odsCode)).toMatchObject({ share: 0.5, level: "ok" });
  });

  it("is not found for someone without capacity figures", async () => {
    await expect(getBoardSummary(igA, today)).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === "NOT_FOUND");
  });
});
