import "server-only";
import { ensurePartitions } from "@/lib/audit/append";
import { addDays, londonToday } from "@/lib/calendar";
import { scanUnusualVolume, type VolumeScanResult } from "@/lib/audit/volume-scan";
import { withSystem } from "@/lib/db/scope";
import { configuredArchive } from "@/lib/pacs/configured";
import { followFor } from "@/lib/pacs/connector";
import { recordArchiveStorage } from "@/lib/pacs/storage";
import { applyDueLeavers } from "@/lib/users/leavers";

// What the background jobs do (lib/jobs/runner.ts schedules them), as the application role with
// consortium-wide scope: a job reaches every trust, with the app's privileges only. Each is safe to
// run twice: a day's alert is raised once, a partition that exists is left as it is.

/** Yesterday in England scanned for people who opened far more patients' imaging than their own usual. */
export function scanYesterday(now = new Date()): Promise<VolumeScanResult> {
  const day = addDays(londonToday(now), -1);
  return withSystem((tx) => scanUnusualVolume(tx, day, day));
}

/** This month's and next month's audit partitions, made before the first event that needs them. */
export function partitionsAhead(now = new Date()): Promise<void> {
  const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return withSystem((tx) => ensurePartitions(tx, [now, nextMonth]));
}

/** People whose leaving date has come become leavers: roles, sessions and links end, audited by the system. */
export function leaversDue(now = new Date()): Promise<{ left: string[] }> {
  return applyDueLeavers(now);
}

/**
 * Follows the configured archive's change feed for most of a minute (the job runs each minute, one
 * at a time), attributing waiting studies whose device has been registered, then records today's
 * storage snapshot of each trust from what the archive holds (once a run: it sums every study).
 */
export async function followArchive(durationMs = 50_000): Promise<string> {
  const archive = configuredArchive();
  if (!archive) return "no archive configured (ORTHANC_URL)";
  const { recorded, unattributed, deleted } = await followFor({ archive }, durationMs);
  const { snapshots } = await recordArchiveStorage();
  return `${recorded} recorded, ${unattributed} unattributed, ${deleted} deleted, ${snapshots} storage snapshots changed`;
}
