// The one calendar of Mosaic. A day people see is a Europe/London day, written YYYY-MM-DD; an
// instant is a Date, stored in UTC. Every conversion between the two goes through this module, on
// date-fns and @date-fns/tz, so that no clock change moves a day: a London day is 23 hours long on
// the last Sunday of March and 25 hours on the last Sunday of October, and it starts at 23:00 UTC
// the evening before all summer. Pure (no database): shared by server code, client charts and seeds.
import { TZDate, tz, tzOffset } from "@date-fns/tz";
import {
  addDays as addDaysFns,
  differenceInCalendarDays,
  eachDayOfInterval,
  format,
  getDay,
  getDaysInYear,
  isValid,
  lastDayOfMonth,
  parse,
  startOfISOWeek,
} from "date-fns";

/** The consortium's time zone: the days people see are days here. */
const londonZone = "Europe/London";
const inLondon = tz(londonZone);
const dayPattern = "yyyy-MM-dd";

/** A calendar day written YYYY-MM-DD. */
export type Day = string;

/** A day as a date at London midnight, for date-fns arithmetic that keeps the wall-clock date. */
function dayDate(day: Day): TZDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) throw new RangeError(`Not a day (YYYY-MM-DD): ${day}`);
  return new TZDate(Number(m[1]), Number(m[2]) - 1, Number(m[3]), londonZone);
}
const dayOf = (d: Date): Day => format(d, dayPattern, { in: inLondon });

/** Is `s` a real calendar day written YYYY-MM-DD (no 31 April, no 29 February of 2027)? */
export function isIsoDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = parse(s, dayPattern, new Date(0));
  return isValid(d) && format(d, dayPattern) === s;
}

/** A day typed as YYYY-MM-DD or the UK's DD/MM/YYYY as a Day, or null when it is no real day. */
export function parseDay(s: string): Day | null {
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s.trim());
  const [, d = "", m = "", y = ""] = uk ?? [];
  const iso = uk ? `${y}-${m.padStart(2, "0")}-${d.padStart(2, "0")}` : s.trim();
  return isIsoDay(iso) ? iso : null;
}

/** The instant London's day `day` starts (00:00 London: 23:00 UTC the evening before in summer). */
export function londonDayStart(day: Day): Date {
  return new Date(dayDate(day).getTime());
}

/** The instant after London's day `day`: 00:00 London on the next day (an exclusive end). */
export function endOfLondonDay(day: Day): Date {
  return londonDayStart(addDays(day, 1));
}

/** The London day an instant falls on. */
export function londonDayOf(instant: Date): Day {
  return dayOf(instant);
}

/** Minutes London is ahead of UTC at an instant (60 in summer time, 0 otherwise). */
export function londonOffsetMinutes(instant: Date): number {
  return tzOffset(londonZone, instant);
}

/** The last London day of a window stored with an exclusive end (`endOfLondonDay` of that day). */
export function lastLondonDayOf(exclusiveEnd: Date): Day {
  return dayOf(new Date(exclusiveEnd.getTime() - 1));
}

/** Today in London. */
export function londonToday(now = new Date()): Day {
  return dayOf(now);
}

// A zoned date costs tens of microseconds to build, and the scans and seeds step through the same
// few hundred days millions of times: day arithmetic is remembered (a bounded cache, emptied when full).
const memoLimit = 100_000;
function memo<T>(cache: Map<string, T>, key: string, compute: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= memoLimit) cache.clear();
    value = compute();
    cache.set(key, value);
  }
  return value;
}
const addDaysCache = new Map<string, Day>();
const weekdayCache = new Map<string, number>();

/** The day `n` days after `day` (n may be negative). */
export function addDays(day: Day, n: number): Day {
  return memo(addDaysCache, `${day}|${n}`, () => dayOf(addDaysFns(dayDate(day), n)));
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: Day, b: Day): number {
  return differenceInCalendarDays(dayDate(b), dayDate(a));
}

/** Every day from `from` to `to`, both included (none when `to` is before `from`). */
export function eachDay(from: Day, to: Day): Day[] {
  if (to < from) return [];
  return eachDayOfInterval({ start: dayDate(from), end: dayDate(to) }, { in: inLondon }).map(dayOf);
}

/** The day of the week of `day`: 0 for Sunday to 6 for Saturday. */
export function weekdayOf(day: Day): number {
  return memo(weekdayCache, day, () => getDay(dayDate(day)));
}

/** The Monday of the ISO week of `day`. */
export function weekStart(day: Day): Day {
  return dayOf(startOfISOWeek(dayDate(day)));
}

/** Days in the year of `day` (365 or 366). */
export function daysInYear(day: Day): number {
  return getDaysInYear(dayDate(day));
}

const dateFormat = "d MMM yyyy";

/** An instant's London day as people in the UK read it: 5 Aug 2026. */
export function formatDate(instant: Date | null | undefined): string {
  return instant ? format(instant, dateFormat, { in: inLondon }) : "";
}

/** An instant in London time: 5 Aug 2026, 14:05 (with seconds, 14:05:09, as the audit trail needs). */
export function formatDateTime(instant: Date | string | null | undefined, opts: { seconds?: boolean } = {}): string {
  if (!instant) return "";
  const d = new Date(instant);
  return isValid(d) ? format(d, opts.seconds ? `${dateFormat}, HH:mm:ss` : `${dateFormat}, HH:mm`, { in: inLondon }) : "";
}

/** A day (YYYY-MM-DD) as "4 Mar 2025" (or "4 March 2025" in running text); anything else is returned as it is. */
export function formatDay(day: Day, opts: { month?: "short" | "long" } = {}): string {
  return isIsoDay(day) ? format(dayDate(day), opts.month === "long" ? "d MMMM yyyy" : dateFormat) : day;
}

/** Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian algorithm). */
export function easterSunday(year: number): Day {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const dayOfMonth = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, "0")}-${String(dayOfMonth).padStart(2, "0")}`;
}

const holidayCache = new Map<number, ReadonlySet<Day>>();

/**
 * The regular bank holidays of England and Wales in `year`, with weekend substitutes (one-off
 * royal occasions are left out: no rule gives them).
 */
export function englandBankHolidays(year: number): ReadonlySet<Day> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const y = String(year).padStart(4, "0");
  const on = (month: number, day: number) => `${y}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  const firstMonday = (month: number) => {
    const first = on(month, 1);
    return addDays(first, (8 - weekdayOf(first)) % 7);
  };
  const lastMonday = (month: number) => {
    const last = dayOf(lastDayOfMonth(dayDate(on(month, 1))));
    return addDays(last, -((weekdayOf(last) + 6) % 7));
  };
  const set = new Set<Day>();
  // A holiday on a weekend moves to the next weekday not already a holiday (Boxing Day after a
  // Christmas that moved).
  const observe = (day: Day) => {
    let d = day;
    while (weekdayOf(d) === 0 || weekdayOf(d) === 6 || set.has(d)) d = addDays(d, 1);
    set.add(d);
  };
  const easter = easterSunday(year);
  observe(on(1, 1));
  set.add(addDays(easter, -2));
  set.add(addDays(easter, 1));
  set.add(firstMonday(5));
  set.add(lastMonday(5));
  set.add(lastMonday(8));
  observe(on(12, 25));
  observe(on(12, 26));
  holidayCache.set(year, set);
  return set;
}

/** Is `day` a regular bank holiday in England and Wales? */
export function isBankHoliday(day: Day): boolean {
  return englandBankHolidays(Number(day.slice(0, 4))).has(day);
}

/**
 * The instant of a wall-clock time in London (an archive's study date and time are written as the
 * site's clock showed them, with no offset), or null when it is no real time. In the hour that
 * happens twice in October the second (GMT) is taken; in the missing hour of March, an hour later (BST).
 */
export function londonWallClock(day: Day, hours: number, minutes: number, seconds: number): Date | null {
  if (!isIsoDay(day) || hours > 23 || minutes > 59 || seconds > 59) return null;
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, hours, minutes, seconds, londonZone).getTime());
}
