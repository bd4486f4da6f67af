import "server-only";
import { sql, type SQL } from "drizzle-orm";

/**
 * SQL for the 24 exam counts of a group, one per hour of the London day (0 to 23), from rows with
 * a `performed_at` column: `array[count(*) filter (where hour = 0), …]`. Shared by the ingest and
 * the rebuild so that both fill capacity_exams_daily.hour_counts the same way.
 */
export const hourCountsOfGroup: SQL = sql.raw(
  `array[${Array.from({ length: 24 }, (_, h) => `count(*) filter (where extract(hour from performed_at at time zone 'Europe/London') = ${h})`).join(", ")}]::integer[]`,
);
