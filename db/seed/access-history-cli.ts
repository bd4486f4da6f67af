import "server-only";
// The demo access history with a progress bar, for `npm run db:seed` and `npm start`.
import cliProgress from "cli-progress";
import type { Database } from "../client";
import { generateAccessHistory } from "./access-history";

/** Generates `days` days of access events up to now at `scale`, showing progress; returns what it stored. */
export async function seedAccessHistoryWithProgress(database: Database, days: number, scale: number) {
  const to = new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  const bar = new cliProgress.SingleBar(
    { format: "Access history |{bar}| {value}/{total} days | {day} | {events} events", hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(days + 1, 0, { day: "", events: "0" });
  const started = Date.now();
  try {
    const h = await generateAccessHistory(database, {
      from,
      to,
      scale,
      onProgress: (p) => {
        bar.setTotal(p.days);
        bar.update(p.daysDone, { day: p.day, events: p.events.toLocaleString("en-GB") });
      },
    });
    return { ...h, seconds: (Date.now() - started) / 1000 };
  } finally {
    bar.stop();
  }
}
