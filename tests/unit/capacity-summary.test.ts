import { describe, expect, it } from "vitest";
import { boardSummaryOf } from "@/lib/capacity/summary-view";
import type { Forecast } from "@/lib/capacity/forecast";

const projected = (exhaustionDay: string, slope: number): Forecast => ({
  status: "projected",
  points: 90,
  slopeBytesPerDay: slope,
  fittedBytes: 0,
  asOf: "2026-12-02",
  exhaustionDay,
  earliestDay: exhaustionDay,
  latestDay: null,
  r2: 0.9,
});

describe("the board summary", () => {
  const base = {
    runRate: { asOf: "2026-12-02", contracted: 1_750_000, yearToDate: 1_200_000, daysElapsed: 336, annualised: 1_303_571 },
    year: 2026,
    months: [
      { month: "January", thisYear: 110, lastYear: 100 },
      { month: "December 1–2", thisYear: 10, lastYear: 10 },
      { month: "later", thisYear: null, lastYear: 500 },
    ],
    today: "2026-12-03",
    usage: [
      { odsCode: "RHM", name: "Southampton", tier: "online" as const, usedBytes: 90, quotaBytes: 100, share: 0.9, level: "warning" as const, forecast: projected("2027-03-03", 1) },
      { odsCode: "RHM", name: "Southampton", tier: "archive" as const, usedBytes: 10, quotaBytes: 100, share: 0.1, level: "ok" as const, forecast: projected("2029-01-01", 0.1) },
      { odsCode: "RNZ", name: "Salisbury", tier: "online" as const, usedBytes: 50, quotaBytes: null, share: null, level: null, forecast: { status: "insufficient-data" as const, points: 3 } },
      { odsCode: "R1F", name: "Isle of Wight", tier: "online" as const, usedBytes: 99, quotaBytes: 100, share: 0.99, level: "critical" as const, forecast: projected("2026-12-13", 2) },
    ],
  };

  it("states the run rate against the contract, with its headroom", () => {
    const s = boardSummaryOf(base);
    expect(s.runRate.shareOfContract).toBeCloseTo(1_303_571 / 1_750_000);
    expect(s.runRate.headroom).toBe(1_750_000 - 1_303_571);
  });

  it("compares growth only over the months this year has reached (not last year's whole year)", () => {
    const s = boardSummaryOf(base);
    expect(s.growth).toMatchObject({ thisYearToDate: 120, lastYearSameMonths: 110 });
    expect(s.growth.change).toBeCloseTo(10 / 110);
  });

  it("gives each trust and tier its runway in London days, and lists those under a year soonest first", () => {
    const s = boardSummaryOf(base);
    expect(s.runway.map((r) => [r.odsCode, r.tier, r.runwayDays, r.status])).toEqual([
      ["RHM", "online", 90, "projected"],
      ["RHM", "archive", 760, "projected"],
      ["RNZ", "online", null, "no-quota"],
      ["R1F", "online", 10, "projected"],
    ]);
    expect(s.atRisk.map((r) => r.odsCode)).toEqual(["R1F", "RHM"]);
    expect(s.runway[0]?.growthBytesPerYear).toBe(365);
  });

  it("has no growth figure when last year had no exams", () => {
    const s = boardSummaryOf({ ...base, months: [{ month: "January", thisYear: 5, lastYear: 0 }] });
    expect(s.growth.change).toBeNull();
  });
});
