import "server-only";
import { sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { ensurePartitions } from "@/lib/audit/append";
import { createCheckpoints, type CheckpointRun } from "@/lib/audit/checkpoints";
import { loadSigningKey } from "@/lib/audit/signing-key";
import { addDays, londonDay, scanUnusualVolume, type VolumeScanResult } from "@/lib/audit/volume-scan";

// What the background jobs do (lib/jobs/runner.ts schedules them). Each is safe to run twice: a
// chain whose head has not moved is not signed again, a day's alert is raised once, a partition
// that exists is left as it is.

/** A checkpoint of every chain whose head moved, signed after walking its events since the last; null without a key. */
export async function checkpointChains(db: Db): Promise<CheckpointRun[] | null> {
  const key = await loadSigningKey({ create: false });
  return key ? createCheckpoints(db, key) : null;
}

/** Yesterday in England scanned for people who opened far more patients' imaging than their own usual. */
export function scanYesterday(db: Db, now = new Date()): Promise<VolumeScanResult> {
  const day = addDays(londonDay(now), -1);
  return asApp(db, (tx) => scanUnusualVolume(tx, day, day));
}

/** This month's and next month's audit partitions, made before the first event that needs them. */
export function partitionsAhead(db: Db, now = new Date()): Promise<void> {
  const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return asApp(db, (tx) => ensurePartitions(tx, [now, nextMonth]));
}

/** As the application role, consortium-wide: a job reaches every trust, with the app's privileges only. */
function asApp<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('role', 'mosaic_app', true), set_config('mosaic.scope_all', 'on', true)`);
    return fn(tx);
  });
}
