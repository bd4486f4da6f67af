import { describe, expect, it } from "vitest";
import { formatBytes, formatPerDay, formatPercent, formatUsageWithoutLevel, formatUsedOfQuota, formatValue } from "@/lib/format";

describe("used against quota", () => {
  it("shows both figures in one unit and precision that agree with the percentage", () => {
    // Was "1 TB of 1.1 TB (94.2%)": 1 out of 1.1 is not 94.2%.
    expect(formatUsedOfQuota(1.034e12, 1.098e12)).toBe("1.034 TB of 1.098 TB (94.2%)");
    expect(formatUsedOfQuota(0.85e12, 1e12)).toBe("0.85 TB of 1.00 TB (85%)");
    expect(formatUsedOfQuota(500e9, 1e12)).toBe("0.5 TB of 1.0 TB (50%)");
    expect(formatUsedOfQuota(1.5e12, 2e12)).toBe("1.5 TB of 2.0 TB (75%)");
    expect(formatUsedOfQuota(12e9, 40e9)).toBe("12 GB of 40 GB (30%)");
    expect(formatUsedOfQuota(1.2e12, 1e12)).toBe("1.2 TB of 1.0 TB (120%)");
  });

  it("agrees with its percentage across many usages and quotas", () => {
    for (let quota = 0.5e12; quota <= 3e12; quota += 0.0137e12) {
      for (const share of [0.013, 0.1234, 0.5, 0.8, 0.942, 0.9987, 1.03]) {
        const used = quota * share;
        const text = formatUsedOfQuota(used, quota);
        const m = /^([\d.,]+) (\w+) of ([\d.,]+) (\w+) \((.+)\)$/.exec(text);
        expect(m, text).not.toBeNull();
        const [, u = "", uUnit, q = "", qUnit, pct] = m ?? [];
        expect(uUnit).toBe(qUnit);
        expect(u.split(".")[1]?.length ?? 0).toBe(q.split(".")[1]?.length ?? 0);
        expect(formatPercent(Number(u.replace(/,/g, "")) / Number(q.replace(/,/g, ""))), text).toBe(pct);
      }
    }
  });

  it("names a small usage in its own unit rather than as nought of the quota's", () => {
    expect(formatUsedOfQuota(250e6, 1e12)).toBe("250 MB of 1 TB (under 0.1%)");
  });
});

describe("usage without a quota level", () => {
  it("says the usage and that no quota is set", () => {
    // Was "No quota or usage" under 250 MB used.
    expect(formatUsageWithoutLevel(250e6, null)).toBe("250 MB used, no quota set");
    expect(formatUsageWithoutLevel(null, 1e12)).toBe("No usage reported yet (quota 1 TB)");
    expect(formatUsageWithoutLevel(null, null)).toBe("No quota or usage");
  });
});

describe("rates per day", () => {
  it("shows a rate under one a day as such, never as 0", () => {
    expect(formatPerDay(2 / 90)).toBe("under 0.1 a day");
    expect(formatPerDay(0.7)).toBe("0.7 a day");
    expect(formatPerDay(0)).toBe("0 a day");
    expect(formatPerDay(3.25)).toBe("3.3 a day");
    expect(formatPerDay(1234.4)).toBe("1,234 a day");
  });
});

describe("percentages and bytes", () => {
  it("keeps a share above nought from reading 0%", () => {
    expect(formatPercent(0.0001)).toBe("under 0.1%");
    expect(formatPercent(0)).toBe("0%");
    expect(formatValue(0.942, "percent")).toBe("94.2%");
  });

  it("formats bytes as before", () => {
    expect(formatBytes(250e6)).toBe("250 MB");
    expect(formatBytes(1.098e12)).toBe("1.1 TB");
    expect(formatBytes(512)).toBe("512 B");
  });
});
