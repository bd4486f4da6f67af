import { describe, expect, it } from "vitest";
import { auditFilter, defaultWindowDays, searchWindow } from "@/lib/audit/search-filter";

// The audit search's From and To are London days (issue 12): in summer time a day runs from 23:00
// UTC the evening before, and the default window counts calendar days across a clock change.
describe("the audit search window in London days", () => {
  it("reads From and To as whole London days in summer time", () => {
    const w = searchWindow(auditFilter.parse({ from: "2027-03-29", to: "2027-03-31" }), new Date("2027-04-02T12:00:00Z"));
    expect(w.from?.toISOString()).toBe("2027-03-28T23:00:00.000Z");
    expect(w.until?.toISOString()).toBe("2027-03-31T23:00:00.000Z");
  });

  it("reads a winter day as UTC midnight to UTC midnight", () => {
    const w = searchWindow(auditFilter.parse({ from: "2027-11-01", to: "2027-11-01" }), new Date("2027-11-05T12:00:00Z"));
    expect(w.from?.toISOString()).toBe("2027-11-01T00:00:00.000Z");
    expect(w.until?.toISOString()).toBe("2027-11-02T00:00:00.000Z");
  });

  it("ends the default window with today in London, also after 23:00 UTC in summer", () => {
    // 00:30 London on 1 April is 23:30 UTC on 31 March: today is already 1 April.
    const w = searchWindow(auditFilter.parse({}), new Date("2027-03-31T23:30:00Z"));
    expect(w.isDefault).toBe(true);
    expect(w.until).toBeNull();
    // 30 London days ending 1 April 2027 start on 3 March (winter), across the clocks going forward.
    expect(defaultWindowDays).toBe(30);
    expect(w.from?.toISOString()).toBe("2027-03-03T00:00:00.000Z");
  });

  it("counts the default window back from To across the clocks going back", () => {
    const w = searchWindow(auditFilter.parse({ to: "2027-11-15" }), new Date("2027-12-01T12:00:00Z"));
    expect(w.from?.toISOString()).toBe("2027-10-16T23:00:00.000Z");
    expect(w.until?.toISOString()).toBe("2027-11-16T00:00:00.000Z");
  });

  it("refuses a day that is not on the calendar", () => {
    expect(auditFilter.safeParse({ from: "2027-02-29" }).success).toBe(false);
  });
});
