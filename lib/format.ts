// How numbers read in the portal (en-GB). Pure, shared by server pages and client charts.
import { formatDay } from "@/lib/calendar";

export type NumberFormat = "int" | "decimal" | "bytes" | "percent" | "day" | "text";

/** Bytes in decimal units, as storage is sold (1 TB = 10^12 bytes). */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toLocaleString("en-GB", { maximumFractionDigits: v >= 100 || i === 0 ? 0 : 1 })} ${units[i]}`;
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
      return `${(n * 100).toLocaleString("en-GB", { maximumFractionDigits: 1 })}%`;
    case "decimal":
      return n.toLocaleString("en-GB", { maximumFractionDigits: 1 });
    default:
      return Math.round(n).toLocaleString("en-GB");
  }
}
