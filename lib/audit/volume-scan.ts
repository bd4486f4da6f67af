import "server-only";
import { sql } from "drizzle-orm";
import { rowsOf, type Executor } from "@/db/client";
import { addDays, formatDay } from "@/lib/calendar";

/** How many days before the scanned day make up a person's usual. */
export const volumeHistoryDays = 28;
/** Never alert below this many patients in a day, whatever the usual. */
const volumeFloor = 20;
/** Alert above this multiple of the usual. */
const volumeFactor = 3;

/** The median of some numbers (0 for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export type VolumeJudgement = { baseline: number; threshold: number; unusual: boolean };

/**
 * The "far more patients than their own usual" rule for one person, trust and day: `patients` is
 * how many distinct patients' imaging they opened that day, `history` the same count for each day
 * of the previous 28 on which they opened any. The usual is the median of those working days (days
 * off are left out, or part-time staff would have a usual of zero); the day is unusual above
 * max(20, 3 × usual).
 */
export function judgeDailyVolume(patients: number, history: readonly number[]): VolumeJudgement {
  const baseline = median(history.filter((n) => n > 0));
  const threshold = Math.max(volumeFloor, volumeFactor * baseline);
  return { baseline, threshold, unusual: patients > threshold };
}

type DayCount = { day: string; actorEmail: string; sourceTrustId: string; actorTrustId: string | null; patients: number };

/** Distinct patients per person, source trust and day in England, for the days first..last. */
async function dailyCounts(db: Executor, first: string, last: string): Promise<DayCount[]> {
  const rows = rowsOf<{ day: string; actor_email: string; source_trust_id: string; actor_trust_id: string | null; patients: number | string }>(
    await db.execute(sql`
      select to_char(occurred_at at time zone 'Europe/London', 'YYYY-MM-DD') as day, actor_email, source_trust_id,
        min(actor_trust_id::text) as actor_trust_id, count(distinct patient_nhs_number) as patients
      from audit_events
      where occurred_at >= (${first}::date)::timestamp at time zone 'Europe/London'
        and occurred_at < (${addDays(last, 1)}::date)::timestamp at time zone 'Europe/London'
        and patient_nhs_number is not null and actor_email is not null and source_trust_id is not null
      group by 1, 2, 3`),
  );
  return rows.map((r) => ({ day: r.day, actorEmail: r.actor_email, sourceTrustId: r.source_trust_id, actorTrustId: r.actor_trust_id, patients: Number(r.patients) }));
}

type UnusualVolume = VolumeJudgement & { day: string; actorEmail: string; sourceTrustId: string; actorTrustId: string | null; patients: number };

export type VolumeScanResult = { days: number; unusual: UnusualVolume[]; raised: number };

// Days are read in chunks so that a year's scan holds a month of counts at most.
const chunkDays = 14;

/**
 * Scans the days first..last (calendar days in England, inclusive) for people who opened far more
 * patients' imaging than their own usual at one trust, and raises an `unusual_volume` alert for
 * each (one per rule, person, trust and day: a re-scan raises nothing twice). Each event is read
 * once however long the range; the 28 days before `first` are read for the usual.
 */
export async function scanUnusualVolume(db: Executor, first: string, last: string, onDay?: (day: string) => void): Promise<VolumeScanResult> {
  const trustRows = rowsOf<{ id: string; ods_code: string }>(await db.execute(sql`select id, ods_code from trusts`));
  const odsOf = new Map(trustRows.map((t) => [t.id, t.ods_code]));
  // day -> "email|trust" -> count, for the days still inside some scanned day's history.
  const window = new Map<string, Map<string, DayCount>>();
  const unusual: UnusualVolume[] = [];
  let raised = 0;
  let days = 0;
  for (let start = addDays(first, -volumeHistoryDays); start <= last; start = addDays(start, chunkDays)) {
    const end = addDays(start, chunkDays - 1) < last ? addDays(start, chunkDays - 1) : last;
    for (const c of await dailyCounts(db, start, end)) {
      let byKey = window.get(c.day);
      if (!byKey) window.set(c.day, (byKey = new Map()));
      byKey.set(`${c.actorEmail}|${c.sourceTrustId}`, c);
    }
    for (let day = start; day <= end; day = addDays(day, 1)) {
      if (day < first) continue;
      const found: UnusualVolume[] = [];
      const previousDays = Array.from({ length: volumeHistoryDays }, (_, i) => addDays(day, -(i + 1)));
      for (const [key, c] of window.get(day) ?? []) {
        if (c.patients <= volumeFloor) continue; // cannot be unusual, whatever the usual
        const history: number[] = [];
        for (const previous of previousDays) {
          const n = window.get(previous)?.get(key)?.patients;
          if (n) history.push(n);
        }
        const judgement = judgeDailyVolume(c.patients, history);
        if (judgement.unusual) found.push({ ...c, ...judgement });
      }
      raised += await raiseVolumeAlerts(db, found, odsOf);
      unusual.push(...found);
      days++;
      onDay?.(day);
      window.delete(addDays(day, -volumeHistoryDays));
    }
  }
  return { days, unusual, raised };
}


async function raiseVolumeAlerts(db: Executor, found: UnusualVolume[], odsOf: Map<string, string>): Promise<number> {
  if (found.length === 0) return 0;
  const alerts = found.map((f) => ({
    trust_id: f.sourceTrustId,
    day: f.day,
    actor_email: f.actorEmail,
    actor_trust_id: f.actorTrustId,
    summary:
      `${f.actorEmail} opened the imaging of ${f.patients} patients at ${odsOf.get(f.sourceTrustId) ?? "the trust"} on ${formatDay(f.day, { month: "long" })}; ` +
      (f.baseline > 0 ? `their usual is ${f.baseline} a day (median of their working days in the previous ${volumeHistoryDays}).` : `they opened none there in the previous ${volumeHistoryDays} days.`),
  }));
  // Day-level alerts have no single event: event_occurred_at is the start of the day in England,
  // and the unique index on (rule, actor, trust, day) makes a re-scan a no-op.
  const inserted = rowsOf<{ id: string }>(
    await db.execute(sql`insert into audit_alerts (trust_id, rule, severity, summary, event_id, event_occurred_at, actor_email, actor_trust_id)
      select trust_id, 'unusual_volume', 'medium', summary, null, (day::timestamp at time zone 'Europe/London'), actor_email, actor_trust_id
      from json_to_recordset(${JSON.stringify(alerts)}::json) as x(trust_id uuid, day date, actor_email text, actor_trust_id uuid, summary text)
      on conflict do nothing returning id`),
  );
  return inserted.length;
}
