// The figures people rely on compare like with like: a trust's run rate for one modality against
// the consortium's for the same modality.
import { beforeAll, describe, expect, it } from "vitest";
import { makeTrust, makeUser, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";
import { parseCapacityFilter } from "@/lib/capacity/filter";
import { ingestExams } from "@/lib/capacity/ingest";
import { getThroughput } from "@/lib/capacity/queries";

const today = "2025-04-10";
let a: TestTrust;
let b: TestTrust;
let cioA: Ctx;
let n = 0;

async function examsFor(t: TestTrust, count: number, modality: string, day: string) {
  const exams = Array.from({ length: count }, () => ({
    studyInstanceUid: `1.2.826.0.1.3680043.12.${process.pid}.${++n}`,
    accessionNumber: `FIG${n}`,
    trust: t.odsCode,
    site: `${t.odsCode}1`,
    modality,
    performedAt: `${day}T10:30:00Z`,
    imageCount: 10,
    sizeBytes: 1_000_000,
  }));
  await ingestExams({ all: true }, { exams });
}

beforeAll(async () => {
  a = await makeTrust();
  b = await makeTrust();
  cioA = await makeUser([{ role: "cio", trustId: a.id }]);
  await examsFor(a, 10, "CT", "2025-03-01");
  await examsFor(a, 30, "MR", "2025-03-01");
  await examsFor(b, 30, "CT", "2025-03-02");
  await examsFor(b, 130, "MR", "2025-03-02");
  // April so far (today is the 10th) and the whole of last April, before and after the 9th.
  await examsFor(a, 4, "DX", "2025-04-08");
  await examsFor(a, 3, "DX", today);
  await examsFor(a, 6, "DX", "2024-04-05");
  await examsFor(a, 50, "DX", "2024-04-20");
});

describe("throughput run rate", () => {
  const filter = (extra: Record<string, string> = {}) => parseCapacityFilter({ from: "2025-01-01", to: today, ...extra }, today);

  it("compares a trust's CT run rate with the consortium's CT run rate", async () => {
    const view = await getThroughput(cioA, filter({ modality: "CT" }), today);
    expect(view.runRate.selected?.yearToDate).toBe(10);
    expect(view.runRate.selected?.modality).toBe("CT");
    expect(view.runRate.selected?.consortium.yearToDate).toBe(40);
    expect(view.runRate.selected?.shareOfConsortium).toBeCloseTo(0.25, 2);
    // The headline against the contract stays every modality's.
    expect(view.runRate.consortium.yearToDate).toBe(204);
    // The modality mix beside it is the consortium's for the same filter too.
    expect(view.consortiumMix).toEqual([{ modality: "CT", count: 40 }]);
  });

  it("compares every modality with every modality when no modality is chosen", async () => {
    const view = await getThroughput(cioA, filter(), today);
    // Up to yesterday: today's 3 exams are not in the run rate.
    expect(view.runRate.selected?.yearToDate).toBe(44);
    expect(view.runRate.selected?.modality).toBeNull();
    expect(view.runRate.selected?.consortium.yearToDate).toBe(204);
    expect(view.runRate.selected?.shareOfConsortium).toBeCloseTo(44 / 204, 2);
  });
});

describe("the daily chart and the year on year", () => {
  it("marks today as a part-day and compares April 1–9 with April 1–9 of last year", async () => {
    const view = await getThroughput(cioA, parseCapacityFilter({ from: "2025-03-01", to: today, modality: "DX" }, today), today);
    expect(view.partialDay).toBe(today);
    expect(view.daily.at(-1)).toMatchObject({ day: today, count: 3 });
    expect(view.yearOverYear.partMonth).toEqual({ month: 4, throughDay: 9, isComplete: false });
    expect(view.yearOverYear.months[3]).toEqual({ month: "Apr 1–9", thisYear: 4, lastYear: 6 });
    expect(view.yearOverYear.months[4]?.thisYear).toBeNull();
  });

  it("has no part-day when the period ended before today", async () => {
    const view = await getThroughput(cioA, parseCapacityFilter({ from: "2025-03-01", to: "2025-03-31" }, today), today);
    expect(view.partialDay).toBeNull();
  });
});
