// The machine API's limits, in one place. The route handlers, the schemas, the OpenAPI document,
// the README ("Machine API limits") and next.config.js (the proxy's body limit, set above
// maxBodyBytes so that the proxy never cuts a body the API would accept) all follow these.
// Pure constants and checks: imported by the schemas the forms share, so no database here.
import { z } from "zod";
import { isIsoDay, londonDayStart } from "@/lib/calendar";

/**
 * The largest request body, in bytes, as sent (before decoding). A batch of 5,000 FHIR AuditEvents
 * is about 15 MB compact and 29 MB pretty-printed (40 MB with the longest break-glass
 * justifications); Mosaic JSON is a fifth of that. Beyond it: 413, naming this limit.
 */
export const maxBodyBytes = 64 * 1024 * 1024;

/** The most items in one batch of events, exams or storage usage snapshots. */
export const maxBatchItems = 5_000;

/** The most access-decision requests in one batch (each is answered while the caller waits). */
export const maxDecisionBatch = 500;

/**
 * The deepest nesting of objects and arrays in a body (the body itself is level 1). The deepest
 * shape the API reads, a FHIR Bundle's coding of a purpose of use, is at level 10.
 */
export const maxJsonDepth = 32;

// Integer columns: what a schema lets through must fit where it is stored, with room for the
// rollups that add them up (bigint sums of a day's exams or a tier's storage).
/** PostgreSQL integer (int4). */
export const maxInt4 = 2_147_483_647;
/** One exam's size: at most 10 TB, so that a day's rollup of even absurd exams stays within bigint. */
export const maxExamBytes = 10 ** 13;
/** One storage snapshot: at most 100 PB, the largest quota a trust can be given (100,000 TB). */
export const maxStorageBytes = 10 ** 17;

// Times. Mosaic stores what happened: an access, an exam, a day's storage, a study. Nothing of that
// is older than digital imaging in the NHS, and nothing is in the future beyond clock skew. A time
// outside that is a client's bug (a zeroed date, a year 0001), and would need an audit partition
// for a month nobody means (one batch of 60 such events once made 60 of them).
/** The earliest time the machine API accepts: 1990-01-01T00:00:00Z. */
export const earliestTime = Date.UTC(1990, 0, 1);
/** How far ahead of Mosaic's clock a sender's clock may be. */
export const maxClockAheadMs = 5 * 60_000;
/** The one message for a time or date outside the plausible range. */
export const implausibleTimeMessage = "must be between 1990-01-01 and now (at most 5 minutes ahead of Mosaic's clock)";

/** Is this instant (ms since the epoch) plausible for something that has happened, as of `now`? */
export function isPlausibleTime(at: number, now: number): boolean {
  return Number.isFinite(at) && at >= earliestTime && at <= now + maxClockAheadMs;
}

/**
 * Is this calendar day (YYYY-MM-DD) plausible as of `now`: from 1990-01-01 to today in the UK? A
 * day is a London day (lib/calendar.ts): it has begun at 00:00 London, 23:00 UTC the evening
 * before in summer, so that today's date sent just after midnight in the UK is not in the future.
 */
export function isPlausibleDate(day: string, now: number): boolean {
  if (!isIsoDay(day)) return false;
  return isPlausibleTime(londonDayStart(day).getTime(), now);
}

/**
 * Is this FHIR dateTime plausible as of `now`: an instant with its offset (isPlausibleTime), or a
 * date without a time (YYYY, YYYY-MM, YYYY-MM-DD), which FHIR leaves in the sender's zone: a UK
 * date, plausible once its first day has begun in London. (Read as UTC, today's date sent between
 * 00:00 and 01:00 in summer was refused as "in the future".)
 */
export function isPlausibleDateTime(value: string, now: number): boolean {
  if (value.length === 4) return isPlausibleDate(`${value}-01-01`, now);
  if (value.length === 7) return isPlausibleDate(`${value}-01`, now);
  if (value.length === 10) return isPlausibleDate(value, now);
  return isPlausibleTime(Date.parse(value), now);
}

/**
 * An ISO 8601 instant with an offset that is plausible (isPlausibleTime, as of the parse): the
 * one schema of every time the machine API takes. `error` is the message for a malformed one.
 */
export const plausibleInstant = (error: string) =>
  z.iso.datetime({ offset: true, error }).refine((s) => isPlausibleTime(Date.parse(s), Date.now()), implausibleTimeMessage);

/** An ISO 8601 calendar date (YYYY-MM-DD) that is plausible (isPlausibleDate, as of the parse). */
export const plausibleDate = (error: string) => z.iso.date({ error }).refine((s) => isPlausibleDate(s, Date.now()), implausibleTimeMessage);
