// The board's one-page capacity summary, built from the throughput and storage figures the portal
// already shows (so the board reads the same numbers as the dashboards). Pure: no database.
import { daysBetween, type Day } from "@/lib/calendar";
import type { QuotaLevel } from "./quota";
import type { StorageTier } from "./schemas";
import type { Forecast } from "./forecast";

export type SummaryRunRate = { asOf: Day; contracted: number; yearToDate: number; daysElapsed: number; annualised: number };
export type SummaryMonth = { month: string; thisYear: number | null; lastYear: number };
export type SummaryTier = {
  odsCode: string;
  name: string;
  tier: StorageTier;
  usedBytes: number | null;
  quotaBytes: number | null;
  share: number | null;
  level: QuotaLevel | null;
  forecast: Forecast;
};

/** A trust and tier's storage runway: days until its quota is forecast to run out, and its yearly growth. */
export type RunwayRow = Omit<SummaryTier, "forecast"> & {
  /** Bytes a year at the fitted rate (null without enough data). */
  growthBytesPerYear: number | null;
  exhaustionDay: Day | null;
  runwayDays: number | null;
  /** "insufficient-data", "not-growing", "no-quota", "exhausted" or "projected". */
  status: Forecast["status"] | "no-quota";
};

export type BoardSummary = {
  today: Day;
  runRate: SummaryRunRate & { shareOfContract: number; headroom: number };
  growth: { year: number; thisYearToDate: number; lastYearSameMonths: number; change: number | null; months: SummaryMonth[] };
  runway: RunwayRow[];
  /** Trust and tier rows whose quota is forecast to run out within a year, soonest first. */
  atRisk: RunwayRow[];
};

/** The board summary's figures: run rate against the contract, growth on last year, storage runway per trust and tier. */
export function boardSummaryOf(input: { runRate: SummaryRunRate; year: number; months: readonly SummaryMonth[]; usage: readonly SummaryTier[]; today: Day }): BoardSummary {
  const { runRate, months, today } = input;
  // Growth compares the months this year has reached with the same months (and days) of last year.
  const reached = months.filter((m) => m.thisYear !== null);
  const thisYearToDate = reached.reduce((s, m) => s + (m.thisYear ?? 0), 0);
  const lastYearSameMonths = reached.reduce((s, m) => s + m.lastYear, 0);
  const runway = input.usage.map((u): RunwayRow => {
    const f = u.forecast;
    const fitted = f.status === "insufficient-data" ? null : f;
    const exhaustionDay = fitted && (f.status === "projected" || f.status === "exhausted") ? fitted.exhaustionDay : null;
    return {
      odsCode: u.odsCode,
      name: u.name,
      tier: u.tier,
      usedBytes: u.usedBytes,
      quotaBytes: u.quotaBytes,
      share: u.share,
      level: u.level,
      growthBytesPerYear: fitted ? Math.round(fitted.slopeBytesPerDay * 365) : null,
      exhaustionDay,
      runwayDays: exhaustionDay ? Math.max(0, daysBetween(today, exhaustionDay)) : null,
      status: u.quotaBytes === null ? "no-quota" : f.status,
    };
  });
  return {
    today,
    runRate: {
      ...runRate,
      shareOfContract: runRate.contracted ? runRate.annualised / runRate.contracted : 0,
      headroom: runRate.contracted - runRate.annualised,
    },
    growth: {
      year: input.year,
      thisYearToDate,
      lastYearSameMonths,
      change: lastYearSameMonths ? (thisYearToDate - lastYearSameMonths) / lastYearSameMonths : null,
      months: [...months],
    },
    runway,
    atRisk: runway.filter((r) => r.runwayDays !== null && r.runwayDays <= 365).sort((a, b) => (a.runwayDays ?? 0) - (b.runwayDays ?? 0)),
  };
}
