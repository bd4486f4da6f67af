import "server-only";
import PgBoss from "pg-boss";
import { followArchive, leaversDue, partitionsAhead, scanYesterday } from "./tasks";

/**
 * The background jobs, as pg-boss queues in the PostgreSQL server (DESIGN.md: jobs in PostgreSQL,
 * not a home-made scheduler). Every instance of the portal starts the runner; pg-boss sends each
 * scheduled job once across them, and a singleton queue runs one at a time. Times are England's.
 * Audit checkpoints are not among them: they are signed within seconds of an ingest, by the
 * checkpoint loop (checkpoint-loop.ts), on both databases.
 */
export const jobs = [
  {
    // The "far more patients than their own usual" alert rule, over yesterday once it is over.
    name: "audit-volume-scan",
    cron: "30 2 * * *",
    expireInSeconds: 3600,
    run: async () => {
      const result = await scanYesterday();
      return `${result.unusual.length} unusual, ${result.raised} alert(s) raised`;
    },
  },
  {
    // Partitions are made on demand too; made ahead, the first events of a month wait for nothing.
    name: "audit-partitions",
    cron: "5 0 * * *",
    expireInSeconds: 600,
    run: async () => {
      await partitionsAhead();
      return "this month's and next month's partitions in place";
    },
  },
  {
    // Leaving dates (lib/users/leavers.ts): sign-in and sessions already refuse a person whose
    // date has come; this records the change and ends their roles, which access decisions read.
    name: "users-leavers",
    cron: "*/5 * * * *",
    expireInSeconds: 600,
    run: async () => {
      const { left } = await leaversDue();
      return `${left.length} leaver(s) whose leaving date came`;
    },
  },
  {
    // The archive connector (lib/pacs/connector.ts), when ORTHANC_URL is set: each run follows the
    // change feed for 50 s, polling every 2 s, so a stable study shows within seconds; the singleton
    // queue keeps one follower across instances (the cursor's row lock would refuse a second anyway).
    name: "pacs-connector",
    cron: "* * * * *",
    expireInSeconds: 120,
    run: () => followArchive(),
  },
] as const;

/**
 * Starts pg-boss on the server at `url` (the database the process reads through lib/): its queues,
 * their schedules and their workers. `stop()` lets a job under way finish.
 */
export async function startJobRunner(url: string, options: { pollingIntervalSeconds?: number } = {}): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: url, schema: "pgboss", application_name: "mosaic-jobs", max: 2 });
  boss.on("error", (error) => console.error("[mosaic] job runner:", error));
  await boss.start();
  // Replaced by the checkpoint loop: a schedule left from an earlier version would send jobs no one takes.
  for (const retired of ["audit-checkpoint"]) await boss.unschedule(retired);
  for (const job of jobs) {
    await boss.createQueue(job.name, { name: job.name, policy: "singleton", expireInSeconds: job.expireInSeconds, retryLimit: 2, retryDelay: 60 });
    await boss.schedule(job.name, job.cron, {}, { tz: "Europe/London" });
    await boss.work(job.name, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 10 }, async () => {
      const outcome = await job.run();
      console.log(`[mosaic] job ${job.name}: ${outcome}`);
      return outcome;
    });
  }
  return boss;
}
