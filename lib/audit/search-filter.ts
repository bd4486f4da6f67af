import { z } from "zod";
import { addDays, endOfLondonDay, isIsoDay, londonDayStart, londonToday } from "@/lib/calendar";
import { isValidNhsNumber, normaliseNhsNumber } from "@/lib/nhs-number";
import { isStorableText } from "@/lib/text-input";
import { modalities, purposes } from "@/lib/vocabulary";
import { accessActions, outcomes } from "./schemas";

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Enter a date as YYYY-MM-DD.")
  .refine(isIsoDay, "Enter a real date.");
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

export const searchActions = [...accessActions, "auth.sign_in", "auth.sign_in_failed", "auth.sign_out", "audit.search", "audit.export"] as const;

/** The audit search's filters, from the address bar: every one optional, each checked. */
export const auditFilter = z.object({
  patient: opt(z.string().transform(normaliseNhsNumber).refine(isValidNhsNumber, "Enter a 10-digit NHS number that passes the check digit.")),
  user: opt(z.string().toLowerCase().max(200).refine(isStorableText, "Enter an email address.")),
  /** A study by its Study Instance UID (a DICOM UID: numbers and dots, at most 64 characters). */
  study: opt(
    z
      .string()
      .max(64, "A Study Instance UID has at most 64 characters.")
      .regex(/^(0|[1-9]\d*)(\.(0|[1-9]\d*))+$/, "Enter a Study Instance UID: numbers separated by dots, for example 1.2.826.0.1.3680043.2.1."),
  ),
  /** A study by its accession number, exactly as the PACS sent it. */
  accession: opt(z.string().max(64, "An accession number has at most 64 characters.").refine(isStorableText, "Enter an accession number.")),
  trust: opt(z.string().toUpperCase().regex(/^[A-Z0-9]{3,5}$/, "Choose a trust.")),
  actorTrust: opt(z.string().toUpperCase().regex(/^[A-Z0-9]{3,5}$/, "Choose a trust.")),
  action: opt(z.string().max(60).refine(isStorableText, "Choose an action.")),
  outcome: opt(z.enum(outcomes, { error: "Choose an outcome." })),
  purpose: opt(z.enum(purposes, { error: "Choose a purpose." })),
  modality: opt(z.enum(modalities, { error: "Choose a modality." })),
  breakGlass: opt(z.enum(["yes"], { error: "Tick or untick break-glass only." })),
  /** "access": accesses to imaging only (a patient's access report), not access decisions nor officers' audit work. */
  kind: opt(z.enum(["access"], { error: "Choose accesses only or every event." })),
  from: opt(day),
  to: opt(day),
  cursor: opt(z.string().max(200)),
});
export type AuditFilter = z.output<typeof auditFilter>;

/**
 * How far back a search reads when it names neither a patient, a user, a study nor a From date. Such a
 * search (a trust's trail, an action, break-glass only…) would otherwise read the whole history to
 * find that fewer than a page of events match: its cost would grow with every month kept. The page
 * says which days it searched.
 */
export const defaultWindowDays = 30;

/**
 * The time window a search reads: from 00:00 London on From up to the end of To in London (the
 * days people see); without a patient, a user, a study or From, the `defaultWindowDays` days that end with
 * To or with today in London (`now`).
 */
export function searchWindow(filter: AuditFilter, now: Date): { from: Date | null; until: Date | null; isDefault: boolean } {
  const until = filter.to ? endOfLondonDay(filter.to) : null;
  if (filter.from) return { from: londonDayStart(filter.from), until, isDefault: false };
  // A patient's, a user's or a study's events are read through their own index: all of their history.
  if (filter.patient || filter.user || filter.study || filter.accession) return { from: null, until, isDefault: false };
  const lastDay = filter.to ?? londonToday(now);
  return { from: londonDayStart(addDays(lastDay, 1 - defaultWindowDays)), until, isDefault: true };
}

/** The filters as the address bar shows them (no cursor), for links and exports. */
export function filterQuery(filter: AuditFilter, extra: Record<string, string> = {}): string {
  const entries = Object.entries({ ...filter, cursor: undefined, ...extra }).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== "");
  return new URLSearchParams(entries).toString();
}

/** A keyset position: the last row's time and id, opaque to the browser. */
export function encodeCursor(occurredAt: Date, id: string): string {
  return Buffer.from(`${occurredAt.toISOString()}|${id}`).toString("base64url");
}

export function decodeCursor(cursor: string | undefined): { occurredAt: Date; id: string } | null {
  if (!cursor) return null;
  const [at, id] = Buffer.from(cursor, "base64url").toString().split("|");
  const occurredAt = new Date(at ?? "");
  if (Number.isNaN(occurredAt.getTime()) || !id || !/^[0-9a-f-]{36}$/i.test(id)) return null;
  return { occurredAt, id };
}
