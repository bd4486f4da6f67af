// The throughput dashboard's rules, on figures made up here: today is a part-day, the run rate
// stops at yesterday, a narrower view is compared with the consortium for the same modality, and a
// part-month is compared with the same days of last year's month.
import { describe, expect, it } from "vitest";
import { buildThroughputView, throughputDays, type DayModalityCount, type ThroughputReads } from "@/lib/capacity/throughput-view";
import type { CapacityFilter } from "@/lib/capacity/filter";

const today = "2025-04-10";
const trustA = { id: "a", odsCode: "RAA", name: "Trust A" };
const trustB = { id: "b", odsCode: "RBB", name: "Trust B" };

/** A trust's view (trust A) unless told otherwise, with nothing counted. */
function reads(filter: CapacityFilter, extra: Partial<ThroughputReads> = {}): ThroughputReads {
  return {
    filter,
    today,
    scopeLabel: "Trust A (RAA)",
    isConsortiumWide: false,
    trusts: [trustA],
    trustIds: [trustA.id],
    siteOptions: [],
    isWholeConsortium: false,
    contractedAnnualExams: 1_750_000,
    daily: [],
    consortiumDaily: [],
    yearDays: [],
    heat: [],
    yearToDate: { consortium: [], selected: 0 },
    crossTrustViews: [],
    ...extra,
  };
}

const exams = (day: string, modality: string, count: number): DayModalityCount => ({ day, modality, count, bytes: count * 1_000_000 });

describe("the partial day", () => {
  it("marks today as a part-day when the period includes it, and keeps its count", () => {
    const view = buildThroughputView(reads({ from: "2025-04-01", to: today }, { daily: [exams("2025-04-09", "CT", 40), exams(today, "CT", 3)] }));
    expect(view.partialDay).toBe(today);
    expect(view.daily.at(-1)).toMatchObject({ day: today, count: 3 });
    expect(view.total).toBe(43);
  });

  it("has no part-day when the period ended before today", () => {
    const view = buildThroughputView(reads({ from: "2025-03-01", to: "2025-03-31" }));
    expect(view.partialDay).toBeNull();
    expect(view.daily.at(-1)?.day).toBe("2025-03-31");
  });

  it("stops the run rate at yesterday, the last complete day", () => {
    expect(throughputDays({ from: "2025-04-01", to: today }, today).asOf).toBe("2025-04-09");
    const view = buildThroughputView(reads({ from: "2025-04-01", to: today }, { yearToDate: { consortium: [{ modality: "CT", count: 99 }], selected: 0 } }));
    expect(view.runRate.asOf).toBe("2025-04-09");
    expect(view.runRate.consortium).toEqual({ yearToDate: 99, daysElapsed: 99, annualised: 365 });
  });

  it("averages the period's first days over the six days before it", () => {
    const daily = ["2025-03-26", "2025-03-27", "2025-03-28", "2025-03-29", "2025-03-30", "2025-03-31", "2025-04-01"].map((d) => exams(d, "MR", 7));
    const view = buildThroughputView(reads({ from: "2025-04-01", to: "2025-04-02" }, { daily }));
    expect(view.daily).toEqual([
      { day: "2025-04-01", count: 7, average7: 7 },
      { day: "2025-04-02", count: 0, average7: 6 },
    ]);
    // The padding days are not the period's.
    expect(view.total).toBe(7);
  });
});

describe("like for like", () => {
  const yearToDate = { consortium: [{ modality: "CT", count: 40 }, { modality: "MR", count: 160 }, { modality: "DX", count: 4 }], selected: 10 };

  it("compares a trust's CT run rate with the consortium's CT run rate, and keeps the contract's headline every modality's", () => {
    const view = buildThroughputView(reads({ from: "2025-01-01", to: today, modality: "CT" }, { yearToDate }));
    expect(view.runRate.selected).toMatchObject({ modality: "CT", yearToDate: 10, consortium: { yearToDate: 40 } });
    expect(view.runRate.selected?.shareOfConsortium).toBeCloseTo(0.25, 2);
    expect(view.runRate.consortium.yearToDate).toBe(204);
  });

  it("compares every modality with every modality when none is chosen", () => {
    const view = buildThroughputView(reads({ from: "2025-01-01", to: today }, { yearToDate: { ...yearToDate, selected: 44 } }));
    expect(view.runRate.selected).toMatchObject({ modality: null, yearToDate: 44, consortium: { yearToDate: 204 } });
    expect(view.runRate.selected?.shareOfConsortium).toBeCloseTo(44 / 204, 2);
  });

  it("shows no selected run rate and no consortium comparison on the consortium's own view", () => {
    const view = buildThroughputView(reads({ from: "2025-01-01", to: today }, { isWholeConsortium: true, consortiumDaily: null, yearToDate: { consortium: yearToDate.consortium, selected: null } }));
    expect(view.runRate.selected).toBeNull();
    expect(view.consortiumDaily).toBeNull();
    expect(view.consortiumMix).toBeNull();
  });

  it("puts the consortium's modality mix of the period (not its padding days) beside the selection's", () => {
    const consortiumDaily = [exams("2025-03-30", "CT", 500), exams("2025-04-02", "MR", 30), exams("2025-04-03", "CT", 10), exams("2025-04-04", "CT", 5)];
    const view = buildThroughputView(reads({ from: "2025-04-01", to: "2025-04-05" }, { daily: [exams("2025-04-03", "CT", 2), exams("2025-04-04", "MR", 6)], consortiumDaily }));
    expect(view.consortiumMix).toEqual([
      { modality: "CT", count: 15 },
      { modality: "MR", count: 30 },
    ]);
    expect(view.modalityMix).toEqual([
      { modality: "MR", count: 6, bytes: 6_000_000, share: 0.75 },
      { modality: "CT", count: 2, bytes: 2_000_000, share: 0.25 },
    ]);
  });
});

describe("year on year", () => {
  const yearDays = [
    { day: "2024-03-15", count: 100 },
    { day: "2024-04-05", count: 6 },
    { day: "2024-04-20", count: 50 },
    { day: "2024-05-02", count: 70 },
    { day: "2025-03-15", count: 90 },
    { day: "2025-04-08", count: 4 },
    { day: today, count: 3 },
  ];

  it("compares April 1–9 with April 1–9 of last year, and leaves the months to come empty", () => {
    const view = buildThroughputView(reads({ from: "2025-03-01", to: today }, { yearDays }));
    expect(view.yearOverYear.partMonth).toEqual({ month: 4, throughDay: 9, isComplete: false });
    expect(view.yearOverYear.months[2]).toEqual({ month: "Mar", thisYear: 90, lastYear: 100 });
    expect(view.yearOverYear.months[3]).toEqual({ month: "Apr 1–9", thisYear: 4, lastYear: 6 });
    expect(view.yearOverYear.months[4]).toEqual({ month: "May", thisYear: null, lastYear: 70 });
  });

  it("compares whole months when yesterday ended the month", () => {
    const view = buildThroughputView(reads({ from: "2025-03-01", to: "2025-05-01" }, { today: "2025-05-01", yearDays }));
    expect(view.yearOverYear.partMonth).toEqual({ month: 4, throughDay: 30, isComplete: true });
    expect(view.yearOverYear.months[3]).toEqual({ month: "Apr", thisYear: 7, lastYear: 56 });
    expect(view.yearOverYear.months[4]).toEqual({ month: "May", thisYear: null, lastYear: 70 });
  });

  it("compares whole months of a year that is over", () => {
    const lastYears = [
      { day: "2023-04-05", count: 6 },
      { day: "2024-04-05", count: 10 },
      { day: "2024-04-20", count: 46 },
    ];
    const view = buildThroughputView(reads({ from: "2024-01-01", to: "2024-12-31" }, { yearDays: lastYears }));
    expect(view.yearOverYear.year).toBe(2024);
    expect(view.yearOverYear.partMonth).toBeNull();
    expect(view.yearOverYear.months[3]).toEqual({ month: "Apr", thisYear: 56, lastYear: 6 });
    expect(view.yearOverYear.months[11]).toEqual({ month: "Dec", thisYear: 0, lastYear: 0 });
  });
});

describe("cross-trust viewing", () => {
  const crossTrustViews = [
    { source: "a", actor: "b", count: 2 },
    { source: "b", actor: "a", count: 1 },
  ];

  it("gives a consortium-wide view the whole matrix", () => {
    const view = buildThroughputView(reads({ from: "2025-04-01", to: today }, { isConsortiumWide: true, isWholeConsortium: true, trusts: [trustA, trustB], trustIds: null, crossTrustViews }));
    expect(view.crossTrust).toEqual({ kind: "matrix", trusts: [{ odsCode: "RAA", name: "Trust A" }, { odsCode: "RBB", name: "Trust B" }], cells: [[null, 2], [1, null]] });
  });

  it("gives a trust's view its own two figures, the other trusts not named", () => {
    const view = buildThroughputView(reads({ from: "2025-04-01", to: today }, { crossTrustViews }));
    expect(view.crossTrust).toEqual({ kind: "own", rows: [{ odsCode: "RAA", name: "Trust A", viewedByOthers: 2, viewingOthers: 1 }] });
  });
});
