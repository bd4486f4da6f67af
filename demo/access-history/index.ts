// A realistic history of image-access events for the demo consortium (DATA.md, "Access events"),
// written straight into audit_events in batches, chained exactly as ingest chains them, with the
// alerts that ingest would have raised. Memory stays flat: a day is generated at a time, and the
// only state carried between days is the clinic and MDT views still to come of recent exams.
//
// The model, per trust and day: exams in the published mix (fewer at weekends and bank holidays,
// emergency CT and X-ray through the night); each is reported (query, retrieve, view), often
// checked by a radiographer, and opened a few times in clinic or on the ward over the next two
// weeks; some are prepared for and shown at an MDT (some at the regional MDT in Southampton); 10%
// of patients are also seen at a second trust, whose clinicians view their images under a sharing
// policy. Night-time work is emergency work. Planted in the stream for the alert rules to find: a
// handful of break-glass accesses a week, a clinician browsing at night, a leaver's account used, a
// cross-trust view with no policy, and a clinician opening far more patients than usual in a day.
//
// calendar.ts holds the days, hash.ts the deterministic draws, consortium.ts what is read from the
// database first, plan.ts the exams and sessions, writer.ts the events and their batches; this
// module runs them day by day.
import "server-only";
import { sql } from "drizzle-orm";
import type { ChainedRow } from "@/lib/audit/append";
import { scanUnusualVolume, volumeHistoryDays } from "@/lib/audit/volume-scan";
import { addDays } from "@/lib/calendar";
import { rowsOf, type Database } from "@/db/client";
import { isDemoDatabase } from "../seed-demo";
import { seededRandom } from "../random";
import { dayAt, dayNumberOf, localTime } from "./calendar";
import { hash3 } from "./hash";
import { type ClinicalRole, loadContext, type Staff, weekendShare, workingShare } from "./consortium";
import { examsOn, planExam, plantedSessions, type Session } from "./plan";
import { EventIds, eventsOfSession, HistoryWriter, releaseUntil, someoneAtWork } from "./writer";

type AccessHistoryProgress = { day: string; daysDone: number; days: number; events: number };

export type AccessHistoryOptions = {
  from: Date;
  to: Date;
  /** 1 = the consortium's contracted volume (1.75M exams, about 20M access events a year). */
  scale: number;
  /** Seeds the generator: the same seed, window and staff give the same history. */
  seed?: number;
  /** Events per INSERT statement and transaction. */
  batchSize?: number;
  /** Run the unusual-volume scan over the generated days (those with 28 days of history before them). */
  scanVolume?: boolean;
  onProgress?: (progress: AccessHistoryProgress) => void;
  /** Called once every event of a UTC month ("YYYY-MM", a partition of audit_events) is committed; the last months as the load ends. */
  onMonthWritten?: (month: string) => void;
};

export type AccessHistoryResult = {
  days: number;
  events: number;
  exams: number;
  crossTrust: number;
  breakGlass: number;
  alerts: Record<string, number>;
};

/** About how many access events a day of history holds at scale 1 (20 million a year), for planning a load. */
export const eventsPerDayAtScale1 = 55_000;

/** Generates and writes the access history of the four demo trusts for [from, to). */
export async function generateAccessHistory(database: Database, options: AccessHistoryOptions): Promise<AccessHistoryResult> {
  const from = options.from.getTime();
  const to = Math.min(options.to.getTime(), Date.now());
  if (!(options.scale > 0 && options.scale <= 50)) throw new Error("scale must be above 0 and at most 50");
  if (!(to > from)) throw new Error("the history needs a window: from must be before to (and not in the future)");
  if (!(await isDemoDatabase(database))) throw new Error("The access history is demo data: it is only generated into the demo consortium's database.");
  const existing = rowsOf(
    await database.db.execute(sql`select 1 from audit_events where target_type = 'study' and occurred_at >= ${new Date(from).toISOString()}::timestamptz and occurred_at < ${new Date(to).toISOString()}::timestamptz limit 1`),
  );
  if (existing.length) throw new Error("This database already holds access events in that window; the history is generated once per window.");

  const seed = options.seed ?? 1;
  const ctx = await loadContext(database, seed, options.scale, from);
  const writer = new HistoryWriter(ctx, options.batchSize ?? 20_000, options.onMonthWritten);
  const ids = new EventIds(seed, from, options.scale);

  const firstDay = dayAt(dayNumberOf(from));
  const lastDay = dayAt(dayNumberOf(to - 1));
  const totalDays = Math.round((lastDay.number - firstDay.number) / 1) + 1;
  const pending = new Map<number, Session[]>();
  const schedule = (s: Session) => {
    if (s.at < from || s.at >= to) return;
    const dayNumber = dayNumberOf(s.at);
    let list = pending.get(dayNumber);
    if (!list) pending.set(dayNumber, (list = []));
    list.push(s);
  };
  // Exams of the two weeks before the window are still being viewed in its first days.
  let exams = 0;
  for (let back = 21; back >= 1; back--) {
    const d = dayAt(firstDay.number - back);
    for (const t of ctx.trusts) for (let i = 0, n = examsOn(ctx, d, t); i < n; i++) planExam(ctx, d, t, i, schedule);
  }

  for (let dayIndex = 0; dayIndex < totalDays; dayIndex++) {
    const day = dayAt(firstDay.number + dayIndex);
    // Who works today: a stable share of each role, fewer at weekends, within their assignment.
    const noon = localTime(day, 12 * 60);
    const share = day.working ? workingShare : weekendShare;
    const rota = new Map<string, Staff[]>();
    for (const s of ctx.staff) {
      // Each person works `share` of the days (the golden ratio spreads their days evenly).
      const phase = (day.number * 0.6180339887 + s.slot) % 1;
      if (s.from > noon || s.until <= noon || phase >= share) continue;
      const key = `${s.trust}|${s.role}`;
      let list = rota.get(key);
      if (!list) rota.set(key, (list = []));
      list.push(s);
    }
    const working = (trust: number, role: ClinicalRole): Staff[] => rota.get(`${trust}|${role}`) ?? [];

    for (const t of ctx.trusts) {
      const n = examsOn(ctx, day, t);
      exams += n;
      for (let i = 0; i < n; i++) planExam(ctx, day, t, i, schedule);
    }
    for (const s of plantedSessions(ctx, day, dayIndex, working)) schedule(s);

    const sessions = (pending.get(day.number) ?? []).sort((a, b) => a.at - b.at);
    pending.delete(day.number);
    const r = seededRandom(hash3(seed, day.number, 99));
    // Events are buffered and released in time order: a session's events follow its start by at most a minute.
    const buffer: ChainedRow[] = [];
    const release = async (until: number) => {
      releaseUntil(buffer, until, writer);
      if (writer.full) await writer.flush();
      // Let the batch in flight make progress while the next is generated.
      await new Promise((resolve) => setImmediate(resolve));
    };

    for (let k = 0; k < sessions.length; k++) {
      const s = sessions[k]!;
      const actor = s.actor ?? someoneAtWork(s, working);
      if (!actor) continue;
      if (eventsOfSession(ctx, s, actor, r, to, ids, buffer)) writer.crossTrust++;
      if (s.kind === "break_glass") writer.breakGlass++;
      if (buffer.length >= 2_000) await release(s.at);
    }
    await release(Infinity);
    options.onProgress?.({ day: day.iso, daysDone: dayIndex + 1, days: totalDays, events: writer.events });
  }
  await writer.finish();

  if (options.scanVolume !== false) {
    const first = addDays(firstDay.iso, volumeHistoryDays);
    if (first <= lastDay.iso) {
      const result = await database.db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
        return scanUnusualVolume(tx, first, lastDay.iso);
      });
      writer.alerts.unusual_volume = (writer.alerts.unusual_volume ?? 0) + result.raised;
    }
  }
  return { days: totalDays, events: writer.events, exams, crossTrust: writer.crossTrust, breakGlass: writer.breakGlass, alerts: writer.alerts };
}
