// Where the embedded PostgreSQL of this folder keeps its data, and how to reach it while it runs.
// `npm start` (scripts/embedded-postgres.ts) starts it; every other process (the portal, the
// commands, the background jobs) connects to it over loopback, as to any PostgreSQL server.
import fs from "node:fs";
import path from "node:path";

/** The folder of the demo's files (.data/ by default): the embedded server's data is in its postgres/. */
export function dataDir(): string {
  // Resolved at run time from the environment; nothing here for the bundler to trace.
  return path.resolve(/*turbopackIgnore: true*/ process.env.MOSAIC_DATA_DIR ?? ".data");
}

export const embeddedDataDir = (base = dataDir()) => path.join(base, "postgres");
/** The password of the server's one role (generated at its first start, kept beside its data). */
export const embeddedPasswordFile = (base = dataDir()) => path.join(base, "postgres-password");
export const embeddedUser = "mosaic";

/**
 * The running server of `base`, from the pid file PostgreSQL keeps in its data folder (pid on the
 * first line, port on the fourth), or null when none runs.
 */
export function runningEmbedded(base = dataDir()): { pid: number; port: number } | null {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(embeddedDataDir(base), "postmaster.pid"), "utf8").split("\n");
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, and someone else's (the postgres user's, when started as root).
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return null;
  }
  return { pid, port };
}

/** The URL of database `name` on the embedded server of `base`; throws, saying what to do, when it is not running. */
export function embeddedDatabaseUrl(name = "mosaic", base = dataDir()): string {
  const running = runningEmbedded(base);
  let password: string | null = null;
  try {
    password = fs.readFileSync(embeddedPasswordFile(base), "utf8").trim();
  } catch {
    // not made yet
  }
  if (!running || !password) {
    throw new Error(`The embedded PostgreSQL in ${path.relative(process.cwd(), embeddedDataDir(base)) || "."} is not running: start Mosaic with npm start (or set DATABASE_URL).`);
  }
  return `postgres://${embeddedUser}:${encodeURIComponent(password)}@127.0.0.1:${running.port}/${name}`;
}
