// Opens the database for a command-line tool: the server at DATABASE_URL, or the embedded
// PostgreSQL of this folder. Commands run beside a running `npm start` (they connect to its server);
// when none runs, a command starts the embedded server for itself and stops it when done.
import fs from "node:fs";
import path from "node:path";
import { openDatabase, type Database } from "@/db/client";
import { embeddedDataDir } from "@/db/embedded";
import { demoPassword, demoSignIns } from "@/demo/demo-consortium";
import cliProgress from "cli-progress";
import { createCheckpoints, type CheckpointRun } from "@/lib/audit/checkpoints";
import { loadSigningKey, type SigningKey } from "@/lib/audit/signing-key";
import { ensureEmbedded } from "./embedded-postgres";

// Where the demo keeps its embedded database, generated secret and API key (a test server gets its own).
export const dataDir = path.resolve(process.env.MOSAIC_DATA_DIR ?? ".data");
/** Holds the pid of the `npm start` serving this folder, while it runs. */
export const startFile = () => path.join(dataDir, "npm-start.pid");

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid of another `npm start` running in this folder, if any (a pid file left by a crash is ignored). */
export function runningStart(): number | null {
  try {
    const pid = Number(fs.readFileSync(startFile(), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Opens the database a command should use: DATABASE_URL, or the embedded server (started if need be). */
export async function openCliDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL || undefined;
  if (url) return openDatabase({ url });
  const server = await ensureEmbedded({ base: dataDir, log: (line) => console.log(line) });
  const database = openDatabase({ url: server.url, kind: "embedded" });
  return {
    ...database,
    close: async () => {
      await database.close();
      // Left running for an `npm start` that began meanwhile: it stops the server when it stops.
      if (!runningStart()) await server.stop();
    },
  };
}

export function describeDatabase(database: Database): string {
  return database.kind === "server" ? "PostgreSQL server (DATABASE_URL)" : `embedded PostgreSQL in ${path.relative(process.cwd(), embeddedDataDir(dataDir))}`;
}

/** Prints the demo sign-ins and their password. */
export function printDemoSignIns(): void {
  console.log(`\nDemo sign-ins (password for each: ${demoPassword})`);
  for (const s of demoSignIns()) console.log(`  ${s.email.padEnd(28)} ${s.role}`);
}

/** Keeps the demo API client's key where DESIGN.md says (demo data only). */
export function writeDemoApiKey(key: string): string {
  // In MOSAIC_DATA_DIR (.data/ by default), so a test server keeps its own key.
  const file = path.join(dataDir, "demo-api-key");
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return path.relative(process.cwd(), file);
}

/**
 * Signs a checkpoint of every chain whose head moved, with a progress bar over the events walked
 * first (every event since the last checkpoints: all of them after a large seed).
 */
export async function signCheckpointsWithProgress(database: Database, key: SigningKey): Promise<CheckpointRun[]> {
  const bar = new cliProgress.SingleBar({ format: "Checkpoints |{bar}| {value}/{total} events walked before signing", hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  try {
    return await createCheckpoints(database.db, key, {
      onProgress: (walked, toWalk) => {
        // Worth a bar only when there is a walk to wait for.
        if (!started && toWalk >= 100_000) {
          bar.start(toWalk, 0);
          started = true;
        }
        if (started) bar.update(Math.min(walked, toWalk));
      },
    });
  } finally {
    if (started) bar.stop();
  }
}

/** Signs the first checkpoints of a freshly seeded demo, so that the verify page has some to check. */
export async function checkpointDemo(database: Database): Promise<void> {
  const key = await loadSigningKey({ create: true });
  if (key) await signCheckpointsWithProgress(database, key);
}
