import { describe, expect, it } from "vitest";
import { judgeDailyVolume, median } from "@/lib/audit/volume-scan";

describe("the unusual-volume rule", () => {
  it("takes the median of the working days", () => {
    expect(median([])).toBe(0);
    expect(median([5])).toBe(5);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([1, 2, 3, 10])).toBe(2.5);
  });

  it.each([
    ["far above a normal usual", 40, [10, 12, 9, 11, 10], true],
    ["busy but within three times the usual", 30, [10, 12, 9, 11, 10], false],
    ["no history, under the floor of 20", 20, [], false],
    ["no history, above the floor", 21, [], true],
    ["a heavy user at their usual", 60, [55, 62, 58, 70], false],
    ["days off do not lower the usual", 40, [0, 0, 0, 15, 16, 14, 0], false],
  ] as const)("%s", (_what, patients, history, unusual) => {
    expect(judgeDailyVolume(patients, history).unusual).toBe(unusual);
  });

  it("reports the usual and the threshold it judged by", () => {
    expect(judgeDailyVolume(50, [10, 12, 8])).toEqual({ baseline: 10, threshold: 30, unusual: true });
    expect(judgeDailyVolume(5, [2, 3])).toEqual({ baseline: 2.5, threshold: 20, unusual: false });
  });
});
