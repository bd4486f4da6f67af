import { describe, expect, it } from "vitest";
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
