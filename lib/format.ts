// How numbers read in the portal (en-GB). Pure, shared by server pages and client charts.
import { formatDay } from "@/lib/calendar";

export type NumberFormat = "int" | "decimal" | "bytes" | "percent" | "day" | "text";

const byteUnits = ["B", "kB", "MB", "GB", "TB", "PB"] as const;

/** The decimal unit a byte count reads in (0: B, 1: kB, … 5: PB). */
function byteUnitOf(bytes: number): number {
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= 1000 && i < byteUnits.length - 1) {
    v /= 1000;
    i++;
  }
  return i;
}

/** Bytes in decimal units, as storage is sold (1 TB = 10^12 bytes). */
export function formatBytes(bytes: number): string {
  const i = byteUnitOf(bytes);
  const v = bytes / 1000 ** i;
  return `${v.toLocaleString("en-GB", { maximumFractionDigits: Math.abs(v) >= 100 || i === 0 ? 0 : 1 })} ${byteUnits[i]}`;
}

/** A share (0..1) as a percentage to one decimal; a share above nought that would read 0% is "under 0.1%". */
export function formatPercent(share: number): string {
  if (share > 0 && share < 0.0005) return "under 0.1%";
  return `${(share * 100).toLocaleString("en-GB", { maximumFractionDigits: 1 })}%`;
}

/**
 * "1.034 TB of 1.098 TB (94.2%)": used and quota in the larger one's unit with one precision, the fewest
 * decimals (up to five significant figures) at which the two figures shown give the percentage
 * shown, so that rounding does not make them disagree. Usage in a smaller unit than the quota reads
 * in its own ("250 MB of 1 TB") below a hundredth of that unit.
 */
export function formatUsedOfQuota(usedBytes: number, quotaBytes: number): string {
  const share = formatPercent(quotaBytes > 0 ? usedBytes / quotaBytes : 0);
  const unit = byteUnitOf(Math.max(usedBytes, quotaBytes));
  const scale = 1000 ** unit;
  const largest = Math.max(usedBytes, quotaBytes) / scale;
  const maxDecimals = unit === 0 ? 0 : Math.max(0, 4 - Math.floor(Math.log10(largest)));
  const round = (v: number, d: number) => Math.round((v / scale) * 10 ** d) / 10 ** d;
  if (quotaBytes <= 0 || (usedBytes > 0 && usedBytes / scale < 0.01)) return `${formatBytes(usedBytes)} of ${formatBytes(quotaBytes)} (${share})`;
  let decimals = maxDecimals;
  for (let d = 0; d < maxDecimals; d++) {
    if (round(quotaBytes, d) > 0 && formatPercent(round(usedBytes, d) / round(quotaBytes, d)) === share) {
      decimals = d;
      break;
    }
  }
  const figure = (v: number) => (v / scale).toLocaleString("en-GB", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return `${figure(usedBytes)} ${byteUnits[unit]} of ${figure(quotaBytes)} ${byteUnits[unit]} (${share})`;
}

/**
 * A rate per day in words: whole numbers from 10 a day, one decimal below, and "under 0.1 a day"
 * for a rate above nought that one decimal would show as 0 (two exams in 90 days are not "0 a day").
 */
export function formatPerDay(perDay: number): string {
  if (perDay > 0 && perDay < 0.05) return "under 0.1 a day";
  return `${perDay.toLocaleString("en-GB", { maximumFractionDigits: perDay >= 10 ? 0 : 1 })} a day`;
}

/**
 * What a trust's tier holds against its quota in words, when there is no quota-level to show:
 * the usage with "no quota set", a quota with no usage yet, or neither.
 */
export function formatUsageWithoutLevel(usedBytes: number | null, quotaBytes: number | null): string {
  if (usedBytes !== null && !quotaBytes) return `${formatBytes(usedBytes)} used, no quota set`;
  if (usedBytes === null && quotaBytes) return `No usage reported yet (quota ${formatBytes(quotaBytes)})`;
  return "No quota or usage";
}

/** One value in the given format; null and undefined read as an en dash. */
export function formatValue(value: unknown, format: NumberFormat = "int"): string {
  if (value === null || value === undefined || value === "") return "–";
  if (format === "text") return String(value);
  if (format === "day") return formatDay(String(value));
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  switch (format) {
    case "bytes":
      return formatBytes(n);
    case "percent":
      return formatPercent(n);
    case "decimal":
      return n.toLocaleString("en-GB", { maximumFractionDigits: 1 });
    default:
      return Math.round(n).toLocaleString("en-GB");
  }
}

/** A count and its noun, agreeing: "1 chain", "2 chains", "1,200 events" ("1 person", "3 people" with the plural given). */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString("en-GB")} ${count === 1 ? singular : pluralForm}`;
}
