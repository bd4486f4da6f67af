import { formatDate } from "@/lib/calendar";
import type { VersionStatus } from "@/lib/vocabulary";

export const statusTone: Record<VersionStatus, "neutral" | "success" | "warning" | "danger"> = {
  draft: "neutral",
  pending_approval: "warning",
  active: "success",
  superseded: "neutral",
  revoked: "danger",
};

/** A window's boundary (00:00 London of its day) as the day people read: 1 Apr 2026. */
export const dateOf = (d: Date | null | undefined) => formatDate(d);
export const windowText = (from: Date, until: Date | null) => (until ? `${dateOf(from)} to ${dateOf(until)}` : `from ${dateOf(from)}, no end date`);
