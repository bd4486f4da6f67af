import { z } from "zod";
import { addDays, daysBetween, isIsoDay, londonToday } from "@/lib/calendar";
import { modalities } from "@/lib/vocabulary";

/** Longest period one view may span (ten years): enough for the whole retention of adult imaging. */
const maxPeriodDays = 3660;
const defaultPeriodDays = 90;

const day = z.string().trim().refine(isIsoDay).optional().catch(undefined);

/** The capacity pages' filters as they arrive from the address bar; unknown values are dropped, not errors. */
const rawFilter = z.object({
  from: day,
  to: day,
  trust: z.string().trim().toUpperCase().regex(/^[A-Z0-9]{3,5}$/).optional().catch(undefined),
  site: z.string().trim().toUpperCase().regex(/^[A-Z0-9]{5}$/).optional().catch(undefined),
  modality: z.enum(modalities).optional().catch(undefined),
});

export type CapacityFilter = { from: string; to: string; trust?: string; site?: string; modality?: (typeof modalities)[number] };

/** Parses the filters and settles the period: default the last 90 days; from ≤ to; at most ten years. */
export function parseCapacityFilter(params: Record<string, string | string[] | undefined>, today = londonToday()): CapacityFilter {
  const single = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const f = rawFilter.parse(single);
  let to = f.to ?? today;
  let from = f.from ?? addDays(to, -(defaultPeriodDays - 1));
  if (from > to) [from, to] = [to, from];
  if (daysBetween(from, to) >= maxPeriodDays) from = addDays(to, -(maxPeriodDays - 1));
  return { from, to, ...(f.trust && { trust: f.trust }), ...(f.site && { site: f.site }), ...(f.modality && { modality: f.modality }) };
}

/** The filters as a query string (for links, CSV downloads and the form's state). */
export function filterQuery(f: CapacityFilter): string {
  const q = new URLSearchParams();
  for (const key of ["from", "to", "trust", "site", "modality"] as const) {
    const v = f[key];
    if (v) q.set(key, v);
  }
  return q.toString();
}
