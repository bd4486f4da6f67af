// When will a storage quota run out? A least-squares straight line through the last 90 days of
// daily usage, projected forward to the quota. The band comes from the uncertainty of the slope:
// slope ± 1.96 standard errors gives the earliest and the latest likely exhaustion dates (the
// latest is open-ended when the slow end of the band does not grow at all). Pure: no database.
import { addDays, daysBetween, eachDay } from "@/lib/calendar";

export type UsagePoint = { day: string; bytes: number };

export type Forecast =
  | { status: "insufficient-data"; points: number }
  | {
      status: "exhausted" | "not-growing" | "projected";
      points: number;
      /** Growth of the fitted line, bytes per day. */
      slopeBytesPerDay: number;
      /** The fitted usage on the last observed day. */
      fittedBytes: number;
      /** Last observed day. */
      asOf: string;
      /** Projected day usage reaches the quota (null when not growing). */
      exhaustionDay: string | null;
      /** The band: earliest and latest likely days (latest null when open-ended). */
      earliestDay: string | null;
      latestDay: string | null;
      /** Share of the day-to-day variation the line explains (0..1). */
      r2: number;
    };

const forecastWindowDays = 90;
const minForecastPoints = 14;
const z95 = 1.96;

/** Least-squares fit y = a + b·x. */
export function leastSquares(xs: readonly number[], ys: readonly number[]) {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i]! - (intercept + slope * xs[i]!)) ** 2;
  const slopeStdError = n > 2 && sxx > 0 ? Math.sqrt(sse / (n - 2) / sxx) : 0;
  const r2 = syy === 0 ? 1 : Math.max(0, 1 - sse / syy);
  return { slope, intercept, slopeStdError, r2 };
}

function dayAfter(asOf: string, remaining: number, slope: number): string | null {
  if (slope <= 0) return null;
  return addDays(asOf, Math.max(0, Math.ceil(remaining / slope)));
}

/** Projects when usage reaches `quotaBytes` from daily usage points (any order; the last 90 days are used). */
export function forecastExhaustion(series: readonly UsagePoint[], quotaBytes: number, windowDays = forecastWindowDays): Forecast {
  if (series.length === 0) return { status: "insufficient-data", points: 0 };
  const sorted = [...series].sort((p, q) => (p.day < q.day ? -1 : p.day > q.day ? 1 : 0));
  const asOf = sorted[sorted.length - 1]!.day;
  const first = addDays(asOf, -(windowDays - 1));
  const window = sorted.filter((p) => p.day >= first);
  if (window.length < minForecastPoints) return { status: "insufficient-data", points: window.length };

  const xs = window.map((p) => daysBetween(first, p.day));
  const ys = window.map((p) => p.bytes);
  const { slope, intercept, slopeStdError, r2 } = leastSquares(xs, ys);
  const fittedBytes = intercept + slope * daysBetween(first, asOf);
  const remaining = quotaBytes - fittedBytes;
  const base = { points: window.length, slopeBytesPerDay: slope, fittedBytes, asOf, r2 };
  if (remaining <= 0) return { ...base, status: "exhausted", exhaustionDay: asOf, earliestDay: asOf, latestDay: asOf };
  if (slope <= 0) return { ...base, status: "not-growing", exhaustionDay: null, earliestDay: null, latestDay: null };
  return {
    ...base,
    status: "projected",
    exhaustionDay: dayAfter(asOf, remaining, slope),
    earliestDay: dayAfter(asOf, remaining, slope + z95 * slopeStdError),
    latestDay: dayAfter(asOf, remaining, slope - z95 * slopeStdError),
  };
}

/** The method in words, for the forecast's tooltip. */
export const forecastMethod =
  "A straight line fitted by least squares to the last 90 days of daily usage, extended until it meets the quota. " +
  "The range uses the slope plus or minus 1.96 standard errors: the earliest date if growth is at the fast end, the latest at the slow end.";

/** How far past the last usage the growth chart draws a forecast line (a quota far off is not drawn to). */
const forecastHorizonDays = 365;

/**
 * The forecast as the growth chart draws it: the fitted line over its window (from `from` at the
 * earliest), extended to the projected exhaustion day, or to `to` when usage is not growing; never
 * more than `forecastHorizonDays` past the last usage. Empty when there is no fit.
 */
export function forecastLine(forecast: Forecast, from: string, to: string, windowDays = forecastWindowDays): UsagePoint[] {
  if (forecast.status === "insufficient-data") return [];
  const start = [from, addDays(forecast.asOf, -(windowDays - 1))].sort().at(-1) ?? from;
  const projectedEnd = forecast.status === "projected" && forecast.exhaustionDay ? forecast.exhaustionDay : forecast.asOf;
  const end = [[to, projectedEnd].sort().at(-1) ?? to, addDays(forecast.asOf, forecastHorizonDays)].sort()[0] ?? to;
  if (start > end) return [];
  return eachDay(start, end).map((day) => ({
    day,
    bytes: Math.max(0, Math.round(forecast.fittedBytes + forecast.slopeBytesPerDay * daysBetween(forecast.asOf, day))),
  }));
}

export type GrowthSeries = { key: string; quotaBytes: number | null; forecast: Forecast };
export type GrowthLine = { key: string; label: string; kind: "used" | "quota" | "forecast" };

/**
 * The storage growth chart: each series' daily usage, its quota as a level line and its forecast
 * line (see forecastLine), one row per day that has any of them. `usage` maps a day to each series'
 * bytes on it.
 */
export function growthWithGuides(
  usage: ReadonlyMap<string, Record<string, number>>,
  series: readonly GrowthSeries[],
  from: string,
  to: string,
): { rows: (Record<string, string | number> & { day: string })[]; lines: GrowthLine[] } {
  const rows = new Map<string, Record<string, number>>([...usage].map(([day, values]) => [day, { ...values }]));
  const lines: GrowthLine[] = series.map((s) => ({ key: s.key, label: s.key, kind: "used" }));
  for (const s of series) {
    const line = forecastLine(s.forecast, from, to);
    if (line.length) lines.push({ key: `${s.key} forecast`, label: `${s.key} forecast`, kind: "forecast" });
    for (const p of line) rows.set(p.day, { ...rows.get(p.day), [`${s.key} forecast`]: p.bytes });
  }
  for (const s of series) {
    if (s.quotaBytes === null) continue;
    lines.push({ key: `${s.key} quota`, label: `${s.key} quota`, kind: "quota" });
    for (const [, row] of rows) row[`${s.key} quota`] = s.quotaBytes;
  }
  return {
    rows: [...rows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([day, values]) => ({ day, ...values })),
    lines,
  };
}
