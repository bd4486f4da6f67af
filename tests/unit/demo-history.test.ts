import { describe, expect, it } from "vitest";
import { eachDay, isBankHoliday } from "@/lib/calendar";
import { annualRateOn } from "@/demo/history";

const holidaysOf = (year: number) => eachDay(`${year}-01-01`, `${year}-12-31`).filter(isBankHoliday);

describe("bank holidays of England and Wales", () => {
  it("2025", () => {
    expect(holidaysOf(2025)).toEqual(["2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26"]);
  });
  it("moves New Year and Christmas off weekends (2021, 2022)", () => {
    expect(holidaysOf(2021)).toEqual(["2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27", "2021-12-28"]);
    // 2022 also had two one-off holidays (a jubilee, a state funeral) that no rule gives.
    expect(holidaysOf(2022)).toEqual(["2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-05-30", "2022-08-29", "2022-12-26", "2022-12-27"]);
  });
});

describe("growth", () => {
  it("runs from 1.3 million a year in 2020 to 1.75 million at the end of 2026, flat outside", () => {
    expect(annualRateOn("2018-06-01")).toBe(1_300_000);
    expect(annualRateOn("2020-01-01")).toBe(1_300_000);
    expect(annualRateOn("2026-12-31")).toBe(1_750_000);
    expect(annualRateOn("2030-01-01")).toBe(1_750_000);
    expect(annualRateOn("2023-07-02")).toBeGreaterThan(1_500_000);
    expect(annualRateOn("2023-07-02")).toBeLessThan(1_550_000);
  });
});
