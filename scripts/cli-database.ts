// Opens the database for a command-line tool: the server at DATABASE_URL, or the embedded PGlite
// folder. PGlite is one connection, so a command refuses while `npm start` holds the folder.
import fs from "node:fs";
import path from "node:path";
import { openDatabase, pgliteDir, type Database } from "@/db/client";
import { demoPassword, demoSignIns } from "@/db/seed/demo-consortium";
import { createCheckpoints } from "@/lib/audit/checkpoints";
import { loadSigningKey } from "@/lib/audit/signing-key";

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

/** Signs the first checkpoints of a freshly seeded demo, so that the verify page has some to check. */
export async function checkpointDemo(database: Database): Promise<void> {
  const key = await loadSigningKey({ create: true });
  if (key) await createCheckpoints(database.db, key);
}
