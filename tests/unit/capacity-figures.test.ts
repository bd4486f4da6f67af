import { describe, expect, it } from "vitest";
import { forecastExhaustion, forecastLine, growthWithGuides } from "@/lib/capacity/forecast";
import { addDays } from "@/lib/calendar";
import { partMonthOf, yearOverYear } from "@/lib/capacity/series";

describe("year on year with a part-month", () => {
  it("finds where this year's figures stop", () => {
    expect(partMonthOf(2025, "2025-12-02")).toEqual({ month: 12, throughDay: 2, isComplete: false });
    expect(partMonthOf(2025, "2025-11-30")).toEqual({ month: 11, throughDay: 30, isComplete: true });
    expect(partMonthOf(2024, "2025-12-02")).toBeNull();
  });

  it("names the part-month by its days and leaves the months to come empty, not zero", () => {
    const months = yearOverYear(2025, [{ month: "2025-11", count: 300 }, { month: "2025-12", count: 20 }, { month: "2024-12", count: 25 }, { month: "2024-11", count: 280 }], partMonthOf(2025, "2025-12-02"));
    expect(months[10]).toEqual({ month: "Nov", thisYear: 300, lastYear: 280 });
    expect(months[11]).toEqual({ month: "Dec 1–2", thisYear: 20, lastYear: 25 });
    const october = yearOverYear(2025, [], partMonthOf(2025, "2025-10-09"));
    expect(october[9]?.month).toBe("Oct 1–9");
    expect(october.slice(10).map((m) => m.thisYear)).toEqual([null, null]);
  });

  it("compares whole months once the year is over", () => {
    const months = yearOverYear(2024, [{ month: "2024-12", count: 25 }], partMonthOf(2024, "2025-12-02"));
    expect(months[11]).toEqual({ month: "Dec", thisYear: 25, lastYear: 0 });
  });
});

describe("the storage growth chart's quota and forecast lines", () => {
  // 30 days growing 1 GB a day from 500 GB, against a 1 TB quota: exhaustion 470 days on.
  const asOf = "2025-04-30";
  const usage = Array.from({ length: 30 }, (_, i) => ({ day: addDays(asOf, i - 29), bytes: 500e9 + i * 1e9 }));
  const quick = Array.from({ length: 30 }, (_, i) => ({ day: addDays(asOf, i - 29), bytes: 800e9 + i * 5e9 }));

  it("draws the fitted line from the period's start to the exhaustion day, at most a year on", () => {
    const soon = forecastExhaustion(quick, 1e12);
    expect(soon.status).toBe("projected");
    const line = forecastLine(soon, "2025-04-15", asOf);
    expect(line[0]).toEqual({ day: "2025-04-15", bytes: 870e9 });
    expect(line.at(-1)?.day).toBe(soon.status === "projected" ? soon.exhaustionDay : null);
    expect(line.at(-1)?.bytes).toBeGreaterThanOrEqual(1e12);
    const far = forecastLine(forecastExhaustion(usage, 1e12), "2025-04-01", asOf);
    expect(far.at(-1)?.day).toBe(addDays(asOf, 365));
    expect(forecastLine({ status: "insufficient-data", points: 3 }, "2025-04-01", asOf)).toEqual([]);
  });

  it("adds each series' quota and forecast beside its usage, one row per day in order", () => {
    const byDay = new Map(quick.map((p) => [p.day, { "RHM online": p.bytes }]));
    const { rows, lines } = growthWithGuides(byDay, [{ key: "RHM online", quotaBytes: 1e12, forecast: forecastExhaustion(quick, 1e12) }], "2025-04-01", asOf);
    expect(lines).toEqual([
      { key: "RHM online", label: "RHM online", kind: "used" },
      { key: "RHM online forecast", label: "RHM online forecast", kind: "forecast" },
      { key: "RHM online quota", label: "RHM online quota", kind: "quota" },
    ]);
    expect(rows.find((r) => r.day === asOf)).toEqual({ day: asOf, "RHM online": 945e9, "RHM online forecast": 945e9, "RHM online quota": 1e12 });
    const last = rows.at(-1);
    expect(last?.["RHM online"]).toBeUndefined();
    expect(last?.["RHM online quota"]).toBe(1e12);
    expect(rows.map((r) => r.day)).toEqual([...rows.map((r) => r.day)].sort());
  });

  it("draws no quota line without a quota and no forecast without a fit", () => {
    const byDay = new Map([["2025-04-30", { "RHM archive": 5e9 }]]);
    const { rows, lines } = growthWithGuides(byDay, [{ key: "RHM archive", quotaBytes: null, forecast: { status: "insufficient-data", points: 1 } }], "2025-04-01", asOf);
    expect(lines.map((l) => l.kind)).toEqual(["used"]);
    expect(rows).toEqual([{ day: "2025-04-30", "RHM archive": 5e9 }]);
  });
});
