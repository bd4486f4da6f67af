// `npm start`: start the embedded PostgreSQL (unless DATABASE_URL names a server), prepare the
// database (migrate, seed the demo if empty), build if needed, serve, and print the URL and the
// demo sign-ins. On exit it stops the embedded server it runs.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { openDatabase, type Database } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { restoreAuditIndexes } from "@/demo/audit-indexes";
import { seedDemo } from "@/demo/seed-demo";
import { seedAccessHistoryWithProgress } from "@/demo/access-history-cli";
import { seedHistoryWithProgress } from "@/demo/history-cli";
import { demoWitnessDir } from "@/lib/audit/witness";
import { startJobRunner } from "@/lib/jobs/runner";
import { buildIfNeeded, buildNeeded } from "./build-if-needed";
import { checkpointDemo, dataDir, describeDatabase, printDemoSignIns, runningStart, startFile, writeDemoApiKey } from "./cli-database";
import { ensureEmbedded } from "./embedded-postgres";

const port = Number(process.env.PORT ?? 3000);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

function authSecret(): string {
  if (process.env.AUTH_SECRET) return process.env.AUTH_SECRET;
  if (process.env.NODE_ENV === "production" && process.env.DATABASE_URL) {
    console.error("AUTH_SECRET is required when NODE_ENV=production and DATABASE_URL is set (openssl rand -base64 33).");
    process.exit(1);
  }
  // Demo only: a secret generated once and kept beside the embedded database.
  const file = path.join(dataDir, "auth-secret");
  fs.mkdirSync(dataDir, { recursive: true });
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(33).toString("base64"), { mode: 0o600 });
  return fs.readFileSync(file, "utf8").trim();
}

/**
 * A new demo database starts a new demo witness: checkpoints left in the demo's folder belong to a
 * database that is gone, and would all read as deleted. They are moved aside, never removed. Only
 * the demo's own folder: a witness named by AUDIT_WITNESS_DIR is never touched.
 */
function setAsideDemoWitness(): void {
  if (process.env.AUDIT_WITNESS_DIR) return;
  const dir = demoWitnessDir();
  if (!fs.existsSync(dir) || fs.readdirSync(dir).length === 0) return;
  const aside = `${dir}.before-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  fs.renameSync(dir, aside);
  console.log(`The demo witness of an earlier database was moved to ${aside}.`);
}

async function prepareDatabase(database: Database): Promise<boolean> {
  try {
    await runMigrations(database);
    // A large seed that was interrupted can leave the audit indexes set aside: they come back first.
    await restoreAuditIndexes(database);
    const seeded = await seedDemo(database);
    if (seeded.outcome === "seeded") {
      setAsideDemoWitness();
      console.log(`Created the demo consortium in the ${describeDatabase(database)} (${elapsed()}).`);
      console.log(`The demo PACS's API key is in ${writeDemoApiKey(seeded.demoApiKey)}.`);
      // A small history so the dashboards have something to show, quickly: 400 days at 2% of the
      // real volume. More with `npm run db:seed -- --years N --scale F`.
      const h = await seedHistoryWithProgress(database, 400 / 365, 0.02);
      console.log(`Added ${h.exams.toLocaleString("en-GB")} demo exams over ${h.days} days (${elapsed()}).`);
      // And a month of access events for the audit pages, at the same small scale.
      const a = await seedAccessHistoryWithProgress(database, 30, 0.02);
      console.log(`Added ${a.events.toLocaleString("en-GB")} demo access events over ${a.days} days (${elapsed()}).`);
      await checkpointDemo(database);
    } else {
      console.log(`Database ready: ${describeDatabase(database)} (${elapsed()}).`);
    }
    return seeded.outcome !== "refused";
  } finally {
    await database.close();
  }
}

async function waitForHealth(url: string): Promise<boolean> {
  for (let i = 0; i < 600; i++) {
    try {
      const res = await fetch(url);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

// One `npm start` per folder: a second one says so instead of sharing the first one's server.
const holder = runningStart();
if (holder) {
  console.error(`Mosaic is already running in this folder (process ${holder}). Use that one, or stop it (Ctrl+C in its terminal, or kill ${holder}) first.`);
  process.exit(1);
}
fs.mkdirSync(dataDir, { recursive: true });
fs.writeFileSync(startFile(), String(process.pid));
const releaseStartFile = () => {
  try {
    if (fs.readFileSync(startFile(), "utf8") === String(process.pid)) fs.rmSync(startFile());
  } catch {
    // already gone
  }
};

// Before this engine, the demo ran on PGlite in .data/pglite: demo data only, which is not carried over.
const oldPglite = path.join(dataDir, "pglite");
if (!process.env.DATABASE_URL && fs.existsSync(oldPglite)) {
  console.log(
    `${path.relative(process.cwd(), oldPglite)} is the demo database of an earlier Mosaic (PGlite), which is no longer used: Mosaic now runs PostgreSQL itself, ` +
      `in ${path.relative(process.cwd(), path.join(dataDir, "postgres"))}, and starts afresh with new demo data. ` +
      `It held demo data only: remove it with rm -rf ${path.relative(process.cwd(), oldPglite)} ${path.relative(process.cwd(), oldPglite)}.lock`,
  );
}

const secret = authSecret();
// The embedded PostgreSQL (the one this folder's commands connect to), unless DATABASE_URL names a server.
const embedded = process.env.DATABASE_URL
  ? null
  : await ensureEmbedded({ base: dataDir, log: (line) => console.log(line) }).catch((error: unknown) => {
      releaseStartFile();
      console.error(`The embedded PostgreSQL did not start: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    });
const stopEmbedded = async () => {
  try {
    // Whoever started it (a command's run before this one): this folder's server stops with Mosaic.
    if (embedded) await (embedded.started ? embedded.stop() : import("./embedded-postgres").then((m) => m.stopEmbeddedServer(dataDir)));
  } catch (error) {
    console.error("The embedded PostgreSQL did not stop cleanly (the next start recovers):", error);
  }
};
const databaseUrl = process.env.DATABASE_URL || embedded!.url;
if (embedded) console.log(`The embedded PostgreSQL is ${embedded.started ? "started" : "running (started earlier)"}, in ${path.relative(process.cwd(), path.join(dataDir, "postgres"))} (${elapsed()}).`);
// The build (when needed) runs beside the database's preparation: one is mostly Node compiling, the
// other mostly PostgreSQL writing the demo history, so together they take little longer than the
// build alone. Its output goes to a log so that it does not tangle with the seed's progress bars.
const stopBuild = new AbortController();
let isDemo: boolean;
try {
  const building = buildNeeded();
  const build = buildIfNeeded({ logFile: path.join(dataDir, "build.log"), signal: stopBuild.signal });
  // Settled even if the database's preparation fails first (no unhandled rejection).
  build.catch(() => {});
  isDemo = await prepareDatabase(openDatabase({ url: databaseUrl, kind: embedded ? "embedded" : "server" }));
  if (building) console.log(`Waiting for the build to finish (${elapsed()})…`);
  await build;
  if (building) console.log(`The portal is built (${elapsed()}).`);
} catch (error) {
  stopBuild.abort();
  releaseStartFile();
  await stopEmbedded();
  throw error;
}

// The checkpoint loop (audit checkpoints signed and witnessed every AUDIT_CHECKPOINT_SECONDS) runs
// in the serving process (instrumentation.ts starts it there), the pg-boss jobs in this one.
// MOSAIC_JOBS=off where another process runs the background work (npm run jobs).
const jobsHere = process.env.MOSAIC_JOBS !== "off";
const server = spawn(process.execPath, [path.resolve("node_modules/next/dist/bin/next"), "start", "-p", String(port)], {
  stdio: "inherit",
  env: { ...process.env, AUTH_SECRET: secret, PORT: String(port), MOSAIC_CHECKPOINT_LOOP: jobsHere ? "on" : "off" },
});
// The scheduled background jobs run in this process beside the portal.
const runner = jobsHere
  ? await startJobRunner(databaseUrl).catch((error: unknown) => {
      // The portal still serves; the jobs wait for the next start (or npm run jobs).
      console.error("The background jobs did not start:", error);
      return null;
    })
  : null;
// Stopping (Ctrl+C, or SIGTERM from a process manager): `next start` stops accepting connections
// and finishes the requests under way, and an access decision is answered only once its audit
// events have committed (lib/sharing/decision-audit.ts), so the audit events pending are flushed
// as those requests finish. Clients that keep their connections alive can keep a stopping server
// busy, so it gets stopGraceMs, then is killed: what it had not answered yet was never answered,
// so no answer is left without its audit event. (One Ctrl+C can arrive twice, from the terminal
// and relayed by npm: the second is ignored.)
const stopGraceMs = 10_000;
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.kill(signal);
    setTimeout(() => server.kill("SIGKILL"), stopGraceMs).unref();
  });
}
server.on("exit", (code) => {
  // A job under way finishes before the process ends, and the database stops last.
  void (runner ? runner.stop({ graceful: true, wait: true, timeout: 30_000 }) : Promise.resolve())
    .catch(() => {})
    .then(stopEmbedded)
    .finally(() => {
      releaseStartFile();
      process.exit(code ?? 0);
    });
});

if (await waitForHealth(`http://127.0.0.1:${port}/api/health`)) {
  console.log(`\nMosaic is ready at http://localhost:${port} (${elapsed()})`);
  if (jobsHere) console.log(`Audit checkpoints are signed and witnessed every ${process.env.AUDIT_CHECKPOINT_SECONDS || 10} s, in ${process.env.AUDIT_WITNESS_DIR || demoWitnessDir()}.`);
  if (runner) console.log("Background jobs (the unusual-volume scan, partitions ahead) run in this process.");
  if (isDemo) printDemoSignIns();
}
