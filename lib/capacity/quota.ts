// Quota warning levels: pure, shared by the storage page, the overview page and their tests.

export type QuotaLevel = "ok" | "warning" | "critical";

const warningShare = 0.8;
const criticalShare = 0.95;

/** The level of a quota that is `used` bytes full of `quota` bytes. */
export function quotaLevel(used: number, quota: number): QuotaLevel {
  if (quota <= 0) return used > 0 ? "critical" : "ok";
  const share = used / quota;
  if (share >= criticalShare) return "critical";
  if (share >= warningShare) return "warning";
  return "ok";
}

/** The level in words (the badge and the overview say it; colour only repeats it). */
export const quotaLevelLabel: Record<QuotaLevel, string> = {
  ok: "Below 80%",
  warning: "Warning: 80% or more used",
  critical: "Critical: 95% or more used",
};
