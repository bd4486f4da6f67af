import type { VersionStatus } from "@/lib/vocabulary";

export const statusTone: Record<VersionStatus, "neutral" | "success" | "warning" | "danger"> = {
  draft: "neutral",
  pending_approval: "warning",
  active: "success",
  superseded: "neutral",
  revoked: "danger",
};

export const dateOf = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 10) : "");
export const windowText = (from: Date, until: Date | null) => (until ? `${dateOf(from)} to ${dateOf(until)}` : `from ${dateOf(from)}, no end date`);
