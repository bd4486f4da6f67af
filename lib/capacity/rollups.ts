import "server-only";
import { sql } from "drizzle-orm";
import type { Db, Executor } from "@/db/client";
import { hourCountsOfGroup } from "./hours";

/** The statements that compute every rollup from the raw rows, as the ingest maintains them. */
const rebuildStatements = [
  sql`insert into capacity_exams_hourly (trust_id, hour, site_id, modality, exam_count, size_bytes)
      select trust_id, date_trunc('hour', performed_at, 'UTC'), site_id, modality, count(*), sum(size_bytes)::bigint
        from exams group by 1, 2, 3, 4`,
  sql`insert into capacity_exams_daily (trust_id, day, site_id, modality, exam_count, size_bytes, hour_counts)
      select trust_id, (performed_at at time zone 'Europe/London')::date, site_id, modality, count(*), sum(size_bytes)::bigint, ${hourCountsOfGroup}
        from exams group by 1, 2, 3, 4`,
  sql`insert into capacity_consortium_exams_daily (day, modality, exam_count, size_bytes)
      select (performed_at at time zone 'Europe/London')::date, modality, count(*), sum(size_bytes)::bigint
        from exams group by 1, 2`,
  sql`insert into capacity_storage_daily (trust_id, tier, day, modality, bytes)
      select trust_id, tier, usage_date, modality, bytes from storage_usage`,
  sql`insert into capacity_consortium_storage_daily (tier, day, bytes)
      select tier, usage_date, sum(bytes)::bigint from storage_usage group by 1, 2`,
  sql`insert into capacity_cross_trust_daily (source_trust_id, actor_trust_id, day, view_count)
      select source_trust_id, actor_trust_id, (occurred_at at time zone 'Europe/London')::date, count(*)
        from audit_events
       where action = 'study.view' and outcome = 'success'
         and source_trust_id is not null and actor_trust_id is not null and source_trust_id <> actor_trust_id
       group by 1, 2, 3`,
];

export const rollupTables = [
  "capacity_exams_hourly",
  "capacity_exams_daily",
  "capacity_consortium_exams_daily",
  "capacity_storage_daily",
  "capacity_consortium_storage_daily",
  "capacity_cross_trust_daily",
] as const;

/**
 * Empties every capacity rollup and computes it again from exams, storage_usage and audit_events,
 * in one transaction (dashboards see the old figures until it commits). Runs as the tables' owner:
 * it is an operator's command (npm run capacity:rebuild-rollups), not something a person's request does.
 */
export async function rebuildRollups(db: Db): Promise<Record<(typeof rollupTables)[number], number>> {
  return db.transaction(async (tx) => {
    // Lets the owner through row-level security where it is not a superuser (FORCE applies to it).
    await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
    await tx.execute(sql.raw(`truncate ${rollupTables.join(", ")}`));
    for (const statement of rebuildStatements) await tx.execute(statement);
    return countRollups(tx);
  });
}

/** Rows in each rollup table (the rebuild command prints them). */
export async function countRollups(tx: Executor): Promise<Record<(typeof rollupTables)[number], number>> {
  const out = {} as Record<(typeof rollupTables)[number], number>;
  for (const table of rollupTables) {
    const result = await tx.execute(sql.raw(`select count(*)::bigint as n from ${table}`));
    const rows = Array.isArray(result) ? result : (result as { rows: { n: number }[] }).rows;
    out[table] = Number((rows[0] as { n: number | string }).n);
  }
  return out;
}
