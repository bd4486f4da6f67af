import { roleLabels, type Role } from "@/lib/auth/permissions";
import { purposeLabels, versionStatusLabels, type Purpose, type VersionStatus } from "@/lib/sharing/vocabulary";

export const statusTone: Record<VersionStatus, "neutral" | "success" | "warning" | "danger"> = {
  draft: "neutral",
  pending_approval: "warning",
  active: "success",
  superseded: "neutral",
  revoked: "danger",
};

export const statusLabel = (s: VersionStatus) => versionStatusLabels[s] ?? s;
export const purposeLabel = (p: string) => purposeLabels[p as Purpose] ?? p;
export const roleLabel = (r: string) => roleLabels[r as Role] ?? r;
export const dateOf = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 10) : "");
export const windowText = (from: Date, until: Date | null) => (until ? `${dateOf(from)} to ${dateOf(until)}` : `from ${dateOf(from)}, no end date`);
