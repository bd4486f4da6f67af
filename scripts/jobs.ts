// `npm run jobs`: the background work on the PostgreSQL server at DATABASE_URL (or the embedded
// one of this folder, started if npm start is not running it), until stopped:
// checkpoints of the audit chains an ingest moved, signed and witnessed every
// AUDIT_CHECKPOINT_SECONDS (lib/jobs/checkpoint-loop.ts), and the pg-boss jobs (lib/jobs/runner.ts):
// yesterday's scan for unusual volumes at 02:30, the audit partitions of this month and the next at
// 00:05. `npm start` runs them too; run this beside a portal started another way (next start, a
// container). Several may run at once: each chain's head is signed once (an advisory lock).
import { startCheckpointLoop } from "@/lib/jobs/checkpoint-loop";
import { jobs, startJobRunner } from "@/lib/jobs/runner";
import { env } from "@/lib/env";
import { dataDir, runningStart } from "./cli-database";
import { ensureEmbedded } from "./embedded-postgres";

const embedded = process.env.DATABASE_URL ? null : await ensureEmbedded({ base: dataDir, log: (line) => console.log(line) });
const url = process.env.DATABASE_URL || embedded!.url;
const boss = await startJobRunner(url);
const loop = startCheckpointLoop();
console.log(
  `Background jobs running: audit checkpoints every ${env().AUDIT_CHECKPOINT_SECONDS} s; (times in England) ${jobs.map((j) => `${j.name} at "${j.cron}"`).join(", ")}. Ctrl+C stops them.`,
);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.log("Stopping the background jobs (a job under way finishes first)…");
    void Promise.all([loop.stop(), boss.stop({ graceful: true, wait: true, timeout: 30_000 })])
      // Left running for an npm start that began meanwhile: it stops the server when it stops.
      .then(() => (embedded && !runningStart() ? embedded.stop() : undefined))
      .then(() => process.exit(0));
  });
}
