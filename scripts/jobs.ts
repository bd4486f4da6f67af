// `npm run jobs`: the background work on the PostgreSQL server at DATABASE_URL, until stopped:
// checkpoints of the audit chains an ingest moved, signed and witnessed every
// AUDIT_CHECKPOINT_SECONDS (lib/jobs/checkpoint-loop.ts), and the pg-boss jobs (lib/jobs/runner.ts):
// yesterday's scan for unusual volumes at 02:30, the audit partitions of this month and the next at
// 00:05. `npm start` runs them too; run this beside a portal started another way (next start, a
// container). Several may run at once: each chain's head is signed once (an advisory lock).
import { startCheckpointLoop } from "@/lib/jobs/checkpoint-loop";
import { jobs, startJobRunner } from "@/lib/jobs/runner";
import { env } from "@/lib/env";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error(
    "The background jobs run in the PostgreSQL server (pg-boss): set DATABASE_URL.\n" +
      "On the embedded database, npm start signs checkpoints as events arrive; npm run audit:checkpoint and npm run audit:scan do the rest while it is stopped.",
  );
  process.exit(2);
}
const boss = await startJobRunner(url);
const loop = startCheckpointLoop();
console.log(
  `Background jobs running: audit checkpoints every ${env().AUDIT_CHECKPOINT_SECONDS} s; (times in England) ${jobs.map((j) => `${j.name} at "${j.cron}"`).join(", ")}. Ctrl+C stops them.`,
);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.log("Stopping the background jobs (a job under way finishes first)…");
    void Promise.all([loop.stop(), boss.stop({ graceful: true, wait: true, timeout: 30_000 })]).then(() => process.exit(0));
  });
}
