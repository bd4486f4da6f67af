// Shaping rollup figures into the throughput charts' series. Pure: no database.
import { addDays, daysInYear, daysBetween, eachDay, weekStart } from "@/lib/calendar";

export type DayCount = { day: string; count: number };

/** Daily counts for every day of [from, to], zero where there is no row. */
function fillDays(from: string, to: string, rows: readonly DayCount[]): DayCount[] {
  const by = new Map(rows.map((r) => [r.day, r.count]));
  return eachDay(from, to).map((day) => ({ day, count: by.get(day) ?? 0 }));
}

/**
 * Each day of [from, to] with its count and the average of the seven days ending on it. `daily`
 * must cover the six days before `from` as well, so that the first days have a full window.
 */
export function withSevenDayAverage(from: string, to: string, daily: readonly DayCount[]): { day: string; count: number; average7: number }[] {
  const filled = fillDays(addDays(from, -6), to, daily);
  const out: { day: string; count: number; average7: number }[] = [];
  let sum = 0;
  filled.forEach((d, i) => {
    sum += d.count;
    if (i >= 7) sum -= filled[i - 7]!.count;
    if (i >= 6) out.push({ day: d.day, count: d.count, average7: Math.round((sum / 7) * 10) / 10 });
  });
  return out;
}

/** Sums by ISO week (keyed by its Monday). */
export function byWeek(daily: readonly DayCount[]): { week: string; count: number }[] {
  const m = new Map<string, number>();
  for (const d of daily) m.set(weekStart(d.day), (m.get(weekStart(d.day)) ?? 0) + d.count);
  return [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([week, count]) => ({ week, count }));
}

/** Sums by calendar month (YYYY-MM). */
export function byMonth(daily: readonly DayCount[]): { month: string; count: number }[] {
  const m = new Map<string, number>();
  for (const d of daily) m.set(d.day.slice(0, 7), (m.get(d.day.slice(0, 7)) ?? 0) + d.count);
  return [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([month, count]) => ({ month, count }));
}

const monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Where `year`'s figures stop, when `year` is the year of `asOf` (the last complete day): the month
 * of `asOf` and its last complete day, and whether that month is over. Null when the year is over.
 */
export function partMonthOf(year: number, asOf: string): PartMonth | null {
  if (Number(asOf.slice(0, 4)) !== year) return null;
  return { month: Number(asOf.slice(5, 7)), throughDay: Number(asOf.slice(8, 10)), isComplete: addDays(asOf, 1).slice(5, 7) !== asOf.slice(5, 7) };
}

export type PartMonth = { month: number; throughDay: number; isComplete: boolean };

/** One calendar month of the year-on-year chart: null this year for a month still to come. */
export type YearOverYearMonth = { month: string; thisYear: number | null; lastYear: number };

/**
 * This year's and last year's exams month by month (`monthly` keyed YYYY-MM). With `partMonth`
 * (see partMonthOf) both years' counts of that month must cover only its days 1…throughDay, so a
 * part-month is compared with the same days of last year's; it is named so ("Dec 1–2"), and this
 * year's months after it are null (not yet), not zero.
 */
export function yearOverYear(year: number, monthly: readonly { month: string; count: number }[], partMonth: PartMonth | null = null): YearOverYearMonth[] {
  const by = new Map(monthly.map((m) => [m.month, m.count]));
  const key = (y: number, i: number) => `${y}-${String(i + 1).padStart(2, "0")}`;
  return monthNames.map((name, i) => {
    const isPart = partMonth?.month === i + 1 && !partMonth.isComplete;
    const isFuture = partMonth !== null && i + 1 > partMonth.month;
    return {
      month: isPart && partMonth ? `${name} 1–${partMonth.throughDay}` : name,
      thisYear: isFuture ? null : (by.get(key(year, i)) ?? 0),
      lastYear: by.get(key(year - 1, i)) ?? 0,
    };
  });
}

/** Exams so far this year, the days they took, and the whole year at that rate. */
export type RunRate = { yearToDate: number; daysElapsed: number; annualised: number };

/**
 * The year's run rate: exams so far this year scaled to the whole year. `asOf` is the last complete
 * day counted (yesterday), so a partial today does not drag the rate down.
 */
export function runRate(yearToDate: number, asOf: string): RunRate {
  const daysElapsed = daysBetween(`${asOf.slice(0, 4)}-01-01`, asOf) + 1;
  return { yearToDate, daysElapsed, annualised: Math.round((yearToDate / daysElapsed) * daysInYear(asOf)) };
}

export const weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

/** A 7 × 24 grid (Monday first) of counts from (isoWeekday 1..7, hour 0..23) rows. */
export function heatmapGrid(rows: readonly { isoDow: number; hour: number; count: number }[]): number[][] {
  const grid = weekdayNames.map(() => Array.from({ length: 24 }, () => 0));
  for (const r of rows) {
    const row = grid[r.isoDow - 1];
    if (row && r.hour >= 0 && r.hour < 24) row[r.hour] = (row[r.hour] ?? 0) + r.count;
  }
  return grid;
}
