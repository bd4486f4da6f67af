/** A date as people in the UK read it (5 Aug 2026), in UK time. */
export function formatDate(date: Date | null | undefined): string {
  if (!date) return "";
  return date.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "Europe/London" });
}

/** A date and time in UK time (5 Aug 2026, 14:05; with seconds, 14:05:09, as the audit trail needs). */
export function formatDateTime(date: Date | string | null | undefined, opts: { seconds?: boolean } = {}): string {
  if (!date) return "";
  return new Date(date).toLocaleString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    ...(opts.seconds ? { second: "2-digit" } : {}),
    timeZone: "Europe/London",
  });
}

/** The last day of a window stored with an exclusive end (midnight after the last day). */
export function lastDayOf(validUntil: Date): Date {
  return new Date(validUntil.getTime() - 1);
}

/** The last day of a window as YYYY-MM-DD (for CSV files and forms). */
export function lastDayIso(validUntil: Date | null): string {
  return validUntil ? lastDayOf(validUntil).toISOString().slice(0, 10) : "";
}
