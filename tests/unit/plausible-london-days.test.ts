// A date the machine API takes is a UK day (issue 12: a date was refused as "in the future" just
// after midnight in summer). At 23:30 UTC on 10 June 2027 it is 00:30 on 11 June in London: today
// is the 11th, yesterday the 10th, and both are plausible; the 12th is not yet.
import { afterEach, describe, expect, it, vi } from "vitest";
import { isPlausibleDate, isPlausibleDateTime } from "@/lib/limits";
import { fhirAuditEvent } from "@/lib/audit/fhir";

const summerNight = Date.parse("2027-06-10T23:30:00Z");
const winterNight = Date.parse("2027-01-10T23:30:00Z");

afterEach(() => {
  vi.useRealTimers();
});

describe("plausible dates are London days", () => {
  it.each([
    ["2027-06-10", true], // yesterday in London
    ["2027-06-11", true], // today in London (still the 10th in UTC)
    ["2027-06-12", false],
    ["2027-02-29", false], // no such day
  ])("at 00:30 London in summer, the day %s is %s", (day, plausible) => {
    expect(isPlausibleDate(day, summerNight)).toBe(plausible);
  });

  it("in winter, London's day is UTC's: at 23:30 on the 10th the 11th has not begun", () => {
    expect(isPlausibleDate("2027-01-10", winterNight)).toBe(true);
    expect(isPlausibleDate("2027-01-11", winterNight)).toBe(false);
  });

  it.each([
    ["2027", true],
    ["2027-06", true],
    ["2027-06-10", true],
    ["2027-06-11", true],
    ["2027-06-12", false],
    ["2027-07", false],
    ["2028", false],
    ["2027-06-11T00:30:00+01:00", true],
    ["2027-06-11T00:36:00+01:00", false], // six minutes ahead of Mosaic's clock
    ["2027-06-10T23:34:00Z", true],
  ])("at 00:30 London in summer, the FHIR dateTime %s is %s", (value, plausible) => {
    expect(isPlausibleDateTime(value, summerNight)).toBe(plausible);
  });

  it("a FHIR AuditEvent's period may start today or yesterday in London just after midnight", () => {
    vi.useFakeTimers({ toFake: ["Date"], now: summerNight });
    const periodIssues = (start: string) => {
      const parsed = fhirAuditEvent.safeParse({ resourceType: "AuditEvent", period: { start } });
      return parsed.success ? [] : parsed.error.issues.filter((i) => i.path.join(".") === "period.start").map((i) => i.message);
    };
    expect(periodIssues("2027-06-10")).toEqual([]);
    expect(periodIssues("2027-06-11")).toEqual([]);
    expect(periodIssues("2027-06-12")).toEqual([expect.stringMatching(/between 1990-01-01 and now/)]);
  });
});
