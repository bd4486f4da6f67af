import { describe, expect, it } from "vitest";
import {
  addDays,
  daysBetween,
  eachDay,
  easterSunday,
  endOfLondonDay,
  englandBankHolidays,
  formatDate,
  formatDateTime,
  formatDay,
  isIsoDay,
  lastLondonDayOf,
  londonDayOf,
  londonOffsetMinutes,
  londonDayStart,
  parseDay,
  weekStart,
} from "@/lib/calendar";

// 2027's clocks go forward on Sunday 28 March (01:00 UTC) and back on Sunday 31 October (01:00 UTC).
describe("London days across the clock changes", () => {
  it.each([
    // day, its start (UTC), its exclusive end (UTC), its length in hours
    ["2027-03-27", "2027-03-27T00:00:00.000Z", "2027-03-28T00:00:00.000Z", 24],
    ["2027-03-28", "2027-03-28T00:00:00.000Z", "2027-03-28T23:00:00.000Z", 23],
    ["2027-03-29", "2027-03-28T23:00:00.000Z", "2027-03-29T23:00:00.000Z", 24],
    ["2027-03-31", "2027-03-30T23:00:00.000Z", "2027-03-31T23:00:00.000Z", 24],
    ["2027-10-30", "2027-10-29T23:00:00.000Z", "2027-10-30T23:00:00.000Z", 24],
    ["2027-10-31", "2027-10-30T23:00:00.000Z", "2027-11-01T00:00:00.000Z", 25],
    ["2027-11-01", "2027-11-01T00:00:00.000Z", "2027-11-02T00:00:00.000Z", 24],
  ])("%s starts at %s and ends at %s (%i hours)", (day, start, end, hours) => {
    expect(londonDayStart(day).toISOString()).toBe(start);
    expect(endOfLondonDay(day).toISOString()).toBe(end);
    expect((endOfLondonDay(day).getTime() - londonDayStart(day).getTime()) / 3_600_000).toBe(hours);
    expect(lastLondonDayOf(endOfLondonDay(day))).toBe(day);
    expect(londonDayOf(londonDayStart(day))).toBe(day);
    expect(londonDayOf(new Date(endOfLondonDay(day).getTime() - 1))).toBe(day);
    expect(londonDayOf(endOfLondonDay(day))).toBe(addDays(day, 1));
  });

  it("a summer last day shows as itself, not the day after", () => {
    const end = endOfLondonDay("2027-03-31");
    expect(formatDate(new Date(end.getTime() - 1))).toBe("31 Mar 2027");
    expect(lastLondonDayOf(end)).toBe("2027-03-31");
    // 23:30 London on 31 March is 22:30 UTC; 00:30 London on 1 April is 23:30 UTC on 31 March.
    expect(londonDayOf(new Date("2027-03-31T22:30:00Z"))).toBe("2027-03-31");
    expect(londonDayOf(new Date("2027-03-31T23:30:00Z"))).toBe("2027-04-01");
    expect(formatDateTime(new Date("2027-03-31T23:30:00Z"))).toBe("1 Apr 2027, 00:30");
    expect(formatDateTime(new Date("2027-10-31T01:30:05Z"), { seconds: true })).toBe("31 Oct 2027, 01:30:05");
  });

  it("knows London's offset either side of each change (01:00 UTC)", () => {
    expect(londonOffsetMinutes(new Date("2027-03-28T00:59:59Z"))).toBe(0);
    expect(londonOffsetMinutes(new Date("2027-03-28T01:00:00Z"))).toBe(60);
    expect(londonOffsetMinutes(new Date("2027-10-31T00:59:59Z"))).toBe(60);
    expect(londonOffsetMinutes(new Date("2027-10-31T01:00:00Z"))).toBe(0);
  });

  it("counts calendar days, not 24-hour spans", () => {
    expect(addDays("2027-03-27", 1)).toBe("2027-03-28");
    expect(addDays("2027-03-28", 1)).toBe("2027-03-29");
    expect(addDays("2027-10-31", 1)).toBe("2027-11-01");
    expect(addDays("2027-11-01", -2)).toBe("2027-10-30");
    expect(daysBetween("2027-03-27", "2027-03-29")).toBe(2);
    expect(daysBetween("2027-10-30", "2027-11-01")).toBe(2);
    expect(eachDay("2027-03-27", "2027-03-29")).toEqual(["2027-03-27", "2027-03-28", "2027-03-29"]);
    expect(eachDay("2027-10-30", "2027-11-01")).toEqual(["2027-10-30", "2027-10-31", "2027-11-01"]);
    expect(eachDay("2027-11-01", "2027-10-30")).toEqual([]);
    expect(weekStart("2027-10-31")).toBe("2027-10-25");
    expect(weekStart("2027-03-29")).toBe("2027-03-29");
  });
});

describe("days typed by people", () => {
  it.each([
    ["2027-03-31", "2027-03-31"],
    ["31/03/2027", "2027-03-31"],
    ["1/4/2027", "2027-04-01"],
    ["2028-02-29", "2028-02-29"],
    ["2027-02-29", null],
    ["31/04/2027", null],
    ["2027-13-01", null],
    ["tomorrow", null],
  ])("%s reads as %s", (typed, day) => {
    expect(parseDay(typed)).toBe(day);
  });

  it("formats and checks days", () => {
    expect(formatDay("2025-03-04")).toBe("4 Mar 2025");
    expect(formatDay("2027-10-31")).toBe("31 Oct 2027");
    expect(formatDay("")).toBe("");
    expect(isIsoDay("2027-03-28")).toBe(true);
    expect(isIsoDay("2027-3-28")).toBe(false);
  });
});

describe("bank holidays of England and Wales (one algorithm)", () => {
  it("knows Easter", () => {
    expect([2024, 2025, 2026, 2027, 2038].map(easterSunday)).toEqual(["2024-03-31", "2025-04-20", "2026-04-05", "2027-03-28", "2038-04-25"]);
  });
  it.each([
    [2025, ["2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26"]],
    // Christmas and Boxing Day on a weekend move to the Monday and Tuesday.
    [2021, ["2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27", "2021-12-28"]],
    // New Year's Day on a Saturday moves to the Monday; Boxing Day on a Monday stays and Christmas moves to Tuesday.
    [2022, ["2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-05-30", "2022-08-29", "2022-12-26", "2022-12-27"]],
    // Easter Sunday on the day the clocks go forward.
    [2027, ["2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"]],
  ])("%i", (year, days) => {
    expect([...englandBankHolidays(year)].sort()).toEqual(days);
  });
});
