// Opens the database for a command-line tool: the server at DATABASE_URL, or the embedded PGlite
// folder. PGlite is one connection, so a command refuses while `npm start` holds the folder.
import fs from "node:fs";
import path from "node:path";
import { openDatabase, pgliteDir, type Database } from "@/db/client";
import { demoPassword, demoSignIns } from "@/demo/demo-consortium";
import cliProgress from "cli-progress";
import { createCheckpoints, type CheckpointRun } from "@/lib/audit/checkpoints";
import { loadSigningKey, type SigningKey } from "@/lib/audit/signing-key";

// Where the demo keeps its generated secret and API key (a test server gets its own).
export const dataDir = path.resolve(process.env.MOSAIC_DATA_DIR ?? ".data");
export const lockFile = () => `${pgliteDir()}.lock`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid of a running `npm start` that holds the embedded database, if any. */
export function embeddedHolder(): number | null {
  try {
    const pid = Number(fs.readFileSync(lockFile(), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Opens the database a command should use, or exits with what to do instead. */
export function openCliDatabase(): Database {
  const url = process.env.DATABASE_URL || undefined;
  if (!url) {
    const holder = embeddedHolder();
    if (holder) {
      console.error(
        `The embedded database in ${pgliteDir()} is in use by Mosaic (process ${holder}).\n` +
          "PGlite serves one process at a time: stop Mosaic (Ctrl+C in its terminal), run this command, then npm start again.\n" +
          "Or point both at a PostgreSQL server with DATABASE_URL.",
      );
      process.exit(2);
    }
  }
  return openDatabase({ url, pgliteDir: pgliteDir() });
}

export function describeDatabase(database: Database): string {
  return database.kind === "postgres" ? "PostgreSQL server (DATABASE_URL)" : `embedded PGlite in ${path.relative(process.cwd(), pgliteDir())}`;
}

/** Prints the demo sign-ins and their password. */
export function printDemoSignIns(): void {
  console.log(`\nDemo sign-ins (password for each: ${demoPassword})`);
  for (const s of demoSignIns()) console.log(`  ${s.email.padEnd(28)} ${s.role}`);
}

/** Keeps the demo API client's key where DESIGN.md says (demo data only). */
export function writeDemoApiKey(key: string): string {
  // Beside the embedded database (.data/ by default), so a test database keeps its own key.
  const dir = process.env.DATABASE_URL ? dataDir : path.dirname(pgliteDir());
  const file = path.join(dir, "demo-api-key");
  fs.mkdirSync(dir, { recursive: true });
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
