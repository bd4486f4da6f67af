// The throughput dashboard's figures, built from what its SQL reads return (lib/capacity/queries.ts,
// getThroughput). Pure: no database. The rules people rely on live here, where a unit test reaches
// them (tests/unit/throughput-view.test.ts): today is a part-day; the run rate stops at yesterday;
// a narrower view is compared with the consortium for the same modality; this year's part-month is
// compared with the same days of last year's.
import { addDays } from "@/lib/calendar";
import type { TrustRef } from "@/lib/trust-directory";
import type { CapacityFilter } from "./filter";
import {
  byMonth,
  byWeek,
  heatmapGrid,
  partMonthOf,
  runRate,
  withSevenDayAverage,
  yearOverYear,
  type DayCount,
  type PartMonth,
  type RunRate,
  type YearOverYearMonth,
} from "./series";

/** One day's exams of one modality in a daily rollup. */
export type DayModalityCount = { day: string; modality: string; count: number; bytes: number };
/** Exams of one modality. */
type ModalityCount = { modality: string; count: number };
/** Exams in one hour (0–23) of one ISO weekday (1 Monday … 7 Sunday). */
type HourCount = { isoDow: number; hour: number; count: number };
/** Views by staff of the actor trust of imaging the source trust produced (trust ids). */
type TrustPairCount = { source: string; actor: string; count: number };

/** The days a throughput view reads: the six days before `from` (for the first seven-day averages) and the year so far. */
export type ThroughputDays = {
  /** Six days before the period, so that its first days have a full seven-day window. */
  padFrom: string;
  /** The last complete day (yesterday): today's exams are not all in. */
  asOf: string;
  /** The year-on-year chart's year: the year the period ends in. */
  year: number;
  /** Where that year's figures stop, when it is the year of `asOf`. */
  partMonth: PartMonth | null;
};

/** The days to read for `filter` when today is `today`. */
export function throughputDays(filter: CapacityFilter, today: string): ThroughputDays {
  const asOf = addDays(today, -1);
  const year = Number(filter.to.slice(0, 4));
  return { padFrom: addDays(filter.from, -6), asOf, year, partMonth: partMonthOf(year, asOf) };
}

/** What the SQL reads hand the builder: rollup figures, already limited to what the caller may see. */
export type ThroughputReads = {
  filter: CapacityFilter;
  today: string;
  scopeLabel: string;
  isConsortiumWide: boolean;
  /** The trusts the caller may choose from, and the ids shown (null: the whole consortium). */
  trusts: TrustRef[];
  trustIds: string[] | null;
  siteOptions: { code: string; name: string }[];
  /** True when the figures are the consortium's own (no trust or site chosen by a consortium-wide caller). */
  isWholeConsortium: boolean;
  contractedAnnualExams: number;
  /** The selection's exams by day and modality, from ThroughputDays.padFrom to filter.to (modality filter applied). */
  daily: DayModalityCount[];
  /** The same for the whole consortium, beside a narrower view (null for the consortium's own view). */
  consortiumDaily: DayModalityCount[] | null;
  /** The selection's exams by day over the year-on-year chart's two years (modality filter applied). */
  yearDays: DayCount[];
  heat: HourCount[];
  /** Exams from 1 January to ThroughputDays.asOf: the consortium's by modality (every modality), and the selection's (null for the consortium's own view). */
  yearToDate: { consortium: ModalityCount[]; selected: number | null };
  crossTrustViews: TrustPairCount[];
};

/** A day of the daily chart: its exams and the average of the seven days ending on it. */
type DailyPoint = { day: string; count: number; average7: number };

/** A narrower view's run rate beside the consortium's for the same modality filter. */
type SelectedRunRate = RunRate & { modality: string | null; consortium: RunRate; shareOfConsortium: number };

/** Who viewed whose imaging: the whole matrix for a consortium-wide caller, a trust's own two figures otherwise. */
type CrossTrust =
  | { kind: "matrix"; trusts: { odsCode: string; name: string }[]; cells: (number | null)[][] }
  | { kind: "own"; rows: { odsCode: string; name: string; viewedByOthers: number; viewingOthers: number }[] };

/** The throughput dashboard's figures. */
export type ThroughputView = {
  filter: CapacityFilter;
  scopeLabel: string;
  isConsortiumWide: boolean;
  trustOptions: { odsCode: string; name: string }[];
  siteOptions: { code: string; name: string }[];
  daily: DailyPoint[];
  /** Today, when the period includes it: its exams are still coming in, so its count is a part-day. */
  partialDay: string | null;
  weekly: { week: string; count: number }[];
  monthly: { month: string; count: number }[];
  total: number;
  modalityMix: (ModalityCount & { bytes: number; share: number })[];
  yearOverYear: { year: number; partMonth: PartMonth | null; months: YearOverYearMonth[] };
  heatmap: number[][];
  runRate: { asOf: string; contracted: number; consortium: RunRate; selected: SelectedRunRate | null };
  consortiumDaily: DailyPoint[] | null;
  consortiumMix: ModalityCount[] | null;
  crossTrust: CrossTrust;
};

function byDay(rows: readonly DayModalityCount[]): DayCount[] {
  const m = new Map<string, number>();
  for (const r of rows) m.set(r.day, (m.get(r.day) ?? 0) + r.count);
  return [...m].map(([day, count]) => ({ day, count }));
}

function byModality(rows: readonly DayModalityCount[]): Map<string, { count: number; bytes: number }> {
  const mix = new Map<string, { count: number; bytes: number }>();
  for (const r of rows) {
    const m = mix.get(r.modality) ?? { count: 0, bytes: 0 };
    m.count += r.count;
    m.bytes += r.bytes;
    mix.set(r.modality, m);
  }
  return mix;
}

const sum = (values: readonly number[]) => values.reduce((s, n) => s + n, 0);

/**
 * This year's and last year's months. This year stops at the last complete day, and its
 * part-month is compared with the same days of last year's month (1–10 December against
 * 1–10 December, not the whole of last December).
 */
function yearOnYearMonths(days: readonly DayCount[], { asOf, partMonth }: ThroughputDays): { month: string; count: number }[] {
  if (!partMonth) return byMonth(days);
  const cut = (day: string) => partMonth.isComplete || Number(day.slice(5, 7)) !== partMonth.month || Number(day.slice(8, 10)) <= partMonth.throughDay;
  return byMonth(days.filter((d) => d.day <= asOf && cut(d.day)));
}

/**
 * A narrower view's run rate against the consortium's for the same modality filter (`modality`,
 * or every modality when null): `shareOfConsortium` compares like with like.
 */
function selectedRunRate(yearToDate: number, consortiumYearToDate: number, asOf: string, modality: string | null): SelectedRunRate {
  const selected = runRate(yearToDate, asOf);
  const consortium = runRate(consortiumYearToDate, asOf);
  return { ...selected, modality, consortium, shareOfConsortium: consortium.annualised ? selected.annualised / consortium.annualised : 0 };
}

/**
 * Who viewed whose imaging. A consortium-wide view gets the full matrix by trust; a trust's view
 * two figures per trust of its own (its imaging viewed by other trusts' staff, its staff viewing
 * other trusts' imaging), with the other trusts not named or split.
 */
function crossTrustOf(views: readonly TrustPairCount[], trusts: readonly TrustRef[], trustIds: string[] | null): CrossTrust {
  if (trustIds === null) {
    const cell = new Map(views.map((r) => [`${r.source}|${r.actor}`, r.count]));
    return {
      kind: "matrix",
      trusts: trusts.map(({ odsCode, name }) => ({ odsCode, name })),
      // rows: the trust whose imaging was viewed; columns: the trust whose staff viewed it.
      cells: trusts.map((s) => trusts.map((a) => (s.id === a.id ? null : (cell.get(`${s.id}|${a.id}`) ?? 0)))),
    };
  }
  const mine = new Set(trustIds);
  return {
    kind: "own",
    rows: trusts
      .filter((t) => mine.has(t.id))
      .map((t) => ({
        odsCode: t.odsCode,
        name: t.name,
        viewedByOthers: sum(views.filter((r) => r.source === t.id && !mine.has(r.actor)).map((r) => r.count)),
        viewingOthers: sum(views.filter((r) => r.actor === t.id && !mine.has(r.source)).map((r) => r.count)),
      })),
  };
}

/** The throughput dashboard's figures from its reads. */
export function buildThroughputView(reads: ThroughputReads): ThroughputView {
  const { filter, today } = reads;
  const days = throughputDays(filter, today);
  const inPeriod = reads.daily.filter((r) => r.day >= filter.from);
  const periodDays = byDay(inPeriod);
  const mix = byModality(inPeriod);
  const total = sum([...mix.values()].map((m) => m.count));

  // The headline against the contract is every modality's (the contract is the consortium's); a
  // narrower view is compared with the consortium's for the same modality filter: a trust's CT
  // against the consortium's CT, never against every modality.
  const consortiumYearToDate = sum(reads.yearToDate.consortium.map((m) => m.count));
  const consortiumLike = filter.modality ? sum(reads.yearToDate.consortium.filter((m) => m.modality === filter.modality).map((m) => m.count)) : consortiumYearToDate;

  // Consortium totals beside a narrower view: totals only, never another trust's own figures.
  const consortiumInPeriod = reads.consortiumDaily?.filter((r) => r.day >= filter.from) ?? null;

  return {
    filter,
    scopeLabel: reads.scopeLabel,
    isConsortiumWide: reads.isConsortiumWide,
    trustOptions: reads.trusts.map(({ odsCode, name }) => ({ odsCode, name })),
    siteOptions: reads.siteOptions,
    daily: withSevenDayAverage(filter.from, filter.to, byDay(reads.daily)),
    partialDay: filter.from <= today && today <= filter.to ? today : null,
    weekly: byWeek(periodDays),
    monthly: byMonth(periodDays),
    total,
    modalityMix: [...mix].map(([modality, m]) => ({ modality, count: m.count, bytes: m.bytes, share: total ? m.count / total : 0 })).sort((a, b) => b.count - a.count),
    yearOverYear: { year: days.year, partMonth: days.partMonth, months: yearOverYear(days.year, yearOnYearMonths(reads.yearDays, days), days.partMonth) },
    heatmap: heatmapGrid(reads.heat),
    runRate: {
      asOf: days.asOf,
      contracted: reads.contractedAnnualExams,
      consortium: runRate(consortiumYearToDate, days.asOf),
      selected: reads.isWholeConsortium ? null : selectedRunRate(reads.yearToDate.selected ?? 0, consortiumLike, days.asOf, filter.modality ?? null),
    },
    consortiumDaily: reads.consortiumDaily ? withSevenDayAverage(filter.from, filter.to, byDay(reads.consortiumDaily)) : null,
    consortiumMix: consortiumInPeriod
      ? [...byModality(consortiumInPeriod)].map(([modality, m]) => ({ modality, count: m.count })).sort((a, b) => (a.modality < b.modality ? -1 : 1))
      : null,
    crossTrust: crossTrustOf(reads.crossTrustViews, reads.trusts, reads.trustIds),
  };
}
