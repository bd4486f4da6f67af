import { describe, expect, it } from "vitest";
import { seededRandom } from "@/demo/random";

describe("seededRandom (the one generator of the demo and the benchmarks)", () => {
  it("gives the same sequence for the same seed, so every demo database is the same", () => {
    const a = seededRandom(20260801);
    const b = seededRandom(20260801);
    expect(Array.from({ length: 100 }, a)).toEqual(Array.from({ length: 100 }, b));
  });

  it("is mulberry32: the values the three copies it replaced gave", () => {
    const r = seededRandom(1);
    expect([r(), r(), r()].map((x) => Math.round(x * 4294967296))).toEqual([2693262067, 11749833, 2265367787]);
  });

  it("stays in [0, 1) and spreads evenly", () => {
    const r = seededRandom(42);
    const buckets: number[] = new Array(10).fill(0);
    let [min, max] = [1, 0];
    for (let i = 0; i < 20_000; i++) {
      const x = r();
      min = Math.min(min, x);
      max = Math.max(max, x);
      buckets[Math.floor(x * 10)]! += 1;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    for (const n of buckets) expect(Math.abs(n - 2_000)).toBeLessThan(250);
  });
});
