// The calendar of the access history: days in England, British Summer Time and bank holidays
// (England and Wales), worked out once per day number and shared by the plan and the loop.
import { isBankHoliday, londonOffsetMinutes } from "@/lib/calendar";

export const dayMs = 86_400_000;
export const minuteMs = 60_000;

/** Minutes England is ahead of UTC on this day (at noon). */
const londonOffset = (date: Date) => londonOffsetMinutes(new Date(date.getTime() + dayMs / 2));
/** A calendar day in England: `number` counts days from 1970-01-01, `start` is its local midnight. */
export type Day = { iso: string; compact: string; number: number; start: number; offset: number; working: boolean };

// Days are asked for millions of times (every view and meeting picks one), always among the few
// hundred around the window: each is worked out once.
const days = new Map<number, Day>();
/** The day with this number (days since 1970-01-01). */
export function dayAt(number: number): Day {
  let day = days.get(number);
  if (day) return day;
  const date = new Date(number * dayMs);
  const iso = date.toISOString().slice(0, 10);
  const offset = londonOffset(date);
  const weekday = date.getUTCDay();
  const working = weekday !== 0 && weekday !== 6 && !isBankHoliday(iso);
  day = { iso, compact: iso.replaceAll("-", ""), number, start: date.getTime() - offset * minuteMs, offset, working };
  days.set(number, day);
  return day;
}
/** The day in England that an instant falls in (the offset of its UTC date, as londonOffset reckons it). */
export function dayNumberOf(at: number): number {
  return Math.floor((at + dayAt(Math.floor(at / dayMs)).offset * minuteMs) / dayMs);
}
/** The instant of a local time (minutes after midnight in England) on a day. */
export const localTime = (day: Day, minute: number) => day.start + Math.round(minute * minuteMs);
