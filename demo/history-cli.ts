import "server-only";
// The demo history with a progress bar, for `npm run db:seed` and `npm start`.
import cliProgress from "cli-progress";
import type { Database } from "@/db/client";
import { seedHistory } from "./history";

/** Runs the history generator with a progress bar; returns what it stored, the time and the peak memory. */
export async function seedHistoryWithProgress(database: Database, years: number, scale: number) {
  const bar = new cliProgress.SingleBar(
    { format: "History |{bar}| {percentage}% · day {value}/{total} · {exams} exams · {eta_formatted} left", hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  try {
    const result = await seedHistory(database, {
      years,
      scale,
      onStart: (days) => bar.start(days, 0, { exams: 0 }),
      onDay: (done, exams) => bar.update(done, { exams: exams.toLocaleString("en-GB") }),
    });
    bar.stop();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    return { ...result, seconds: (Date.now() - started) / 1000, peakRssMb: Math.round(peakRss / 1e6) };
  } finally {
    clearInterval(sampler);
    bar.stop();
  }
}
