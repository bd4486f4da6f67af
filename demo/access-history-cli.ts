import "server-only";
// The demo access history with a progress bar, for `npm run db:seed` and `npm start`.
import cliProgress from "cli-progress";
import type { Database } from "@/db/client";
import { eventsPerDayAtScale1, generateAccessHistory } from "./access-history";
import { deferAuditIndexes } from "./audit-indexes";

/** From about this many events, the secondary indexes are built after the load rather than during it (demo/audit-indexes.ts). */
const deferIndexesFrom = 1_000_000;

/** Generates `days` days of access events up to now at `scale`, showing progress; returns what it stored. */
export async function seedAccessHistoryWithProgress(database: Database, days: number, scale: number) {
  const to = new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  const bar = new cliProgress.SingleBar(
    { format: "Access history |{bar}| {value}/{total} days | {phase} | {events} events", hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  bar.start(days + 1, 0, { phase: "", events: "0" });
  try {
    const deferred = days * scale * eventsPerDayAtScale1 >= deferIndexesFrom ? await deferAuditIndexes(database) : null;
    const generate = generateAccessHistory(database, {
      from,
      to,
      scale,
      onProgress: (p) => {
        bar.setTotal(p.days);
        bar.update(p.daysDone, { phase: p.day, events: p.events.toLocaleString("en-GB") });
      },
      onMonthWritten: deferred?.monthWritten,
    });
    // A failed load still puts the indexes back (or leaves them to the next seed), and says why it failed.
    const h = await generate.catch(async (error: unknown) => {
      await deferred?.finish().catch(() => {});
      throw error;
    });
    const indexesFrom = Date.now();
    await deferred?.finish((done, total) => bar.update({ phase: `building indexes ${done}/${total}` }));
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    return { ...h, seconds: (Date.now() - started) / 1000, indexSeconds: deferred ? (Date.now() - indexesFrom) / 1000 : null, peakRssMb: Math.round(peakRss / 1e6) };
  } finally {
    clearInterval(sampler);
    bar.stop();
  }
}
