import type { NextConfig } from "next";
import { describe, expect, it } from "vitest";
import { earliestTime, isPlausibleDate, isPlausibleTime, maxBodyBytes, maxClockAheadMs } from "@/lib/limits";

const now = Date.parse("2026-07-01T12:00:00Z");

describe("plausible times", () => {
  it.each([
    ["1990-01-01T00:00:00Z", true],
    ["1989-12-31T23:59:59.999Z", false],
    ["0001-01-01T00:00:00Z", false],
    ["0000-01-01T00:00:00Z", false],
    ["2026-07-01T12:05:00Z", true],
    ["2026-07-01T12:05:00.001Z", false],
    ["2026-07-01T13:04:00+01:00", true],
    ["2999-01-01T00:00:00Z", false],
  ])("%s is %s", (time, plausible) => {
    expect(isPlausibleTime(Date.parse(time), now)).toBe(plausible);
  });

  it("refuses what is not a time at all", () => {
    expect(isPlausibleTime(Number.NaN, now)).toBe(false);
    expect(isPlausibleTime(Number.POSITIVE_INFINITY, now)).toBe(false);
    expect(isPlausibleTime(earliestTime, now)).toBe(true);
    expect(isPlausibleTime(now + maxClockAheadMs + 1, now)).toBe(false);
  });

  it.each([
    ["1990-01-01", true],
    ["1989-12-31", false],
    ["0000-01-01", false],
    ["2026-07-01", true],
    // Tomorrow begins in the UK an hour before it does in UTC (BST): 23:00Z on the 1st is the 2nd.
    ["2026-07-02", false],
    ["not a date", false],
  ])("the day %s is %s", (day, plausible) => {
    expect(isPlausibleDate(day, now)).toBe(plausible);
  });

  it("takes tomorrow once it has begun in the UK", () => {
    expect(isPlausibleDate("2026-07-02", Date.parse("2026-07-01T23:00:00Z"))).toBe(true);
  });
});

describe("the body limit", () => {
  it("is below the proxy's, so that the proxy never cuts short a body the API would take (it answers 413 instead)", async () => {
    // next.config.js is JavaScript (no types): read as the NextConfig it declares itself to be.
    const { default: nextConfig } = (await import("@/next.config.js" as string)) as { default: NextConfig };
    const proxyLimit = nextConfig.experimental?.proxyClientMaxBodySize;
    expect(typeof proxyLimit).toBe("number");
    expect(proxyLimit as number).toBeGreaterThan(maxBodyBytes);
  });
});
