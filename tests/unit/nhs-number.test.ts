import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatNhsNumber, isValidNhsNumber, normaliseNhsNumber } from "@/lib/nhs-number";

describe("NHS number modulus 11", () => {
  it.each(["9990000018", "9990000026", "9990000034", "9434765919", "4010232137"])("accepts %s", (n) => {
    expect(isValidNhsNumber(n)).toBe(true);
  });

  it.each([
    ["9990000019", "wrong check digit"],
    ["999000001", "nine digits"],
    ["99900000180", "eleven digits"],
    ["999000001A", "a letter"],
    ["", "empty"],
    ["9990000 18", "a space inside"],
    ["1000000010", "check value 10: never issued"],
  ])("refuses %s (%s)", (n) => {
    expect(isValidNhsNumber(n)).toBe(false);
  });

  it("has exactly one valid check digit (or none) for any nine digits", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{9}$/), (nine) => {
        const valid = [..."0123456789"].filter((d) => isValidNhsNumber(nine + d));
        expect(valid.length).toBeLessThanOrEqual(1);
      }),
    );
  });

  it("normalises and formats", () => {
    expect(normaliseNhsNumber("999 000-0018")).toBe("9990000018");
    expect(formatNhsNumber("9990000018")).toBe("999 000 0018");
  });
});
