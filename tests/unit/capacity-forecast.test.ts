import { describe, expect, it } from "vitest";
import { addDays } from "@/lib/calendar";
import { forecastExhaustion, leastSquares } from "@/lib/capacity/forecast";
import { quotaLevel } from "@/lib/capacity/quota";
import { byMonth, byWeek, runRate, withSevenDayAverage, yearOverYear, heatmapGrid } from "@/lib/capacity/series";

const series = (start: string, values: number[]) => values.map((bytes, i) => ({ day: addDays(start, i), bytes }));

describe("least squares", () => {
  it("recovers an exact line", () => {
    const fit = leastSquares([0, 1, 2, 3], [5, 7, 9, 11]);
    expect(fit.slope).toBeCloseTo(2);
    expect(fit.intercept).toBeCloseTo(5);
    expect(fit.slopeStdError).toBeCloseTo(0);
    expect(fit.r2).toBeCloseTo(1);
  });

  it("matches a hand-worked fit with noise", () => {
    // x = 0..4, y = 1, 3, 2, 5, 4: slope 0.8, intercept 1.4, SSE 3.6, SE(slope) = sqrt(1.2 / 10).
    const fit = leastSquares([0, 1, 2, 3, 4], [1, 3, 2, 5, 4]);
    expect(fit.slope).toBeCloseTo(0.8);
    expect(fit.intercept).toBeCloseTo(1.4);
    expect(fit.slopeStdError).toBeCloseTo(Math.sqrt(1.2 / 10));
    expect(fit.r2).toBeCloseTo(1 - 3.6 / 10);
  });
});

describe("quota exhaustion forecast", () => {
  it("projects a steady 10 GB a day to the exact day, with no band", () => {
    const s = series("2025-01-01", Array.from({ length: 90 }, (_, i) => 500e9 + i * 10e9));
    // Last day 2025-03-31 holds 1,390 GB; 1,500 GB is 110 GB later: 11 days.
    const f = forecastExhaustion(s, 1500e9);
    expect(f).toMatchObject({ status: "projected", asOf: "2025-03-31", exhaustionDay: "2025-04-11", earliestDay: "2025-04-11", latestDay: "2025-04-11" });
  });

  it("uses only the last 90 days", () => {
    // A year of flat usage, then 90 days of growth: the flat part must not dilute the slope.
    const flat = series("2024-01-01", Array.from({ length: 300 }, () => 100));
    const growing = series(addDays("2024-01-01", 300), Array.from({ length: 90 }, (_, i) => 100 + i));
    const f = forecastExhaustion([...flat, ...growing], 289);
    expect(f.status).toBe("projected");
    if (f.status === "projected") {
      expect(f.slopeBytesPerDay).toBeCloseTo(1);
      expect(f.exhaustionDay).toBe(addDays(growing[89]!.day, 100));
    }
  });

  it("gives a band around the date when growth is noisy", () => {
    const noise = [3, -2, 1, -4, 2, 0, -1, 4, -3, 1];
    const s = series("2025-01-01", Array.from({ length: 60 }, (_, i) => 1000 + 5 * i + (noise[i % noise.length] ?? 0) * 10));
    const f = forecastExhaustion(s, 2000);
    expect(f.status).toBe("projected");
    if (f.status !== "projected") return;
    expect(f.earliestDay! < f.exhaustionDay!).toBe(true);
    expect(f.latestDay! > f.exhaustionDay!).toBe(true);
  });

  it("says not growing when usage is flat or falling, exhausted when over quota, and insufficient with few days", () => {
    expect(forecastExhaustion(series("2025-01-01", Array.from({ length: 30 }, () => 50)), 100).status).toBe("not-growing");
    expect(forecastExhaustion(series("2025-01-01", Array.from({ length: 30 }, (_, i) => 90 - i)), 100).status).toBe("not-growing");
    expect(forecastExhaustion(series("2025-01-01", Array.from({ length: 30 }, (_, i) => 100 + i)), 100)).toMatchObject({ status: "exhausted" });
    expect(forecastExhaustion(series("2025-01-01", [1, 2, 3]), 100)).toEqual({ status: "insufficient-data", points: 3 });
    expect(forecastExhaustion([], 100)).toEqual({ status: "insufficient-data", points: 0 });
  });

  it("leaves the latest day open when the slow end of the band does not grow", () => {
    const s = series("2025-01-01", Array.from({ length: 20 }, (_, i) => 1000 + (i % 2 === 0 ? 40 : -40) + i * 2));
    const f = forecastExhaustion(s, 5000);
    expect(f.status).toBe("projected");
    if (f.status === "projected") expect(f.latestDay).toBeNull();
  });
});

describe("quota levels", () => {
  it.each([
    [0, 100, "ok"],
    [79.9, 100, "ok"],
    [80, 100, "warning"],
    [94.99, 100, "warning"],
    [95, 100, "critical"],
    [120, 100, "critical"],
  ] as const)("%d of %d is %s", (used, quota, level) => {
    expect(quotaLevel(used, quota)).toBe(level);
  });
});

describe("throughput series", () => {
  it("averages the seven days ending on each day, using the days before the period", () => {
    const daily = Array.from({ length: 13 }, (_, i) => ({ day: addDays("2025-01-01", i), count: i + 1 }));
    const out = withSevenDayAverage("2025-01-07", "2025-01-13", daily);
    expect(out[0]).toEqual({ day: "2025-01-07", count: 7, average7: 4 });
    expect(out[6]).toEqual({ day: "2025-01-13", count: 13, average7: 10 });
  });

  it("fills missing days with zero", () => {
    const out = withSevenDayAverage("2025-01-07", "2025-01-08", [{ day: "2025-01-08", count: 14 }]);
    expect(out).toEqual([
      { day: "2025-01-07", count: 0, average7: 0 },
      { day: "2025-01-08", count: 14, average7: 2 },
    ]);
  });

  it("sums by ISO week and by month", () => {
    // 2025-01-05 is a Sunday, 2025-01-06 a Monday.
    const daily = [
      { day: "2025-01-05", count: 1 },
      { day: "2025-01-06", count: 2 },
      { day: "2025-01-31", count: 3 },
      { day: "2025-02-01", count: 4 },
    ];
    expect(byWeek(daily)).toEqual([
      { week: "2024-12-30", count: 1 },
      { week: "2025-01-06", count: 2 },
      { week: "2025-01-27", count: 7 },
    ]);
    expect(byMonth(daily)).toEqual([
      { month: "2025-01", count: 6 },
      { month: "2025-02", count: 4 },
    ]);
  });

  it("compares this year with last year by month", () => {
    const out = yearOverYear(2025, [
      { month: "2024-03", count: 10 },
      { month: "2025-03", count: 12 },
    ]);
    expect(out[2]).toEqual({ month: "Mar", thisYear: 12, lastYear: 10 });
    expect(out[0]).toEqual({ month: "Jan", thisYear: 0, lastYear: 0 });
  });

  it("annualises the year to date", () => {
    expect(runRate(100, "2025-01-10")).toEqual({ yearToDate: 100, daysElapsed: 10, annualised: 3650 });
    expect(runRate(366, "2024-12-31").annualised).toBe(366);
  });

  it("lays out a Monday-first weekday by hour grid", () => {
    const grid = heatmapGrid([
      { isoDow: 1, hour: 9, count: 5 },
      { isoDow: 7, hour: 23, count: 2 },
    ]);
    expect(grid[0]![9]).toBe(5);
    expect(grid[6]![23]).toBe(2);
    expect(grid.flat().reduce((s, n) => s + n, 0)).toBe(7);
  });
});
