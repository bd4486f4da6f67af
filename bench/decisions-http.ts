// Access decisions over HTTP against the health route, in the same run: 16 concurrent PACS clients
// ask POST /api/v1/access-decisions, then GET /api/health, in alternating timed phases, on the
// production build. Prints decisions/s and p99 of each and the ratios against DESIGN.md's target
// (decisions ≥ 0.8 × the health route's rate, p99 within 2 × its p99).
//
// What it does: makes a fresh database (on an embedded PostgreSQL in a fresh folder by default; a new
// database on the server named by BENCH_DATABASE_URL or DATABASE_URL when one is set, dropped
// afterwards), migrates
// it and seeds the demo consortium (seedDemo, as npm start does; its API key is the demo PACS's),
// builds if needed and serves the build with `next start` on a free loopback port. Each client keeps
// one keep-alive connection. Every answer must be a 200 with a decision (or "ok" for health), or the
// run fails. After the timed phases the server is stopped (SIGTERM, or SIGKILL: BENCH_STOP) while the
// clients still ask, and the access.decision audit events are counted against the decisions
// answered 200: each answered decision must be audited.
//
//   npm run bench:decisions-http                         # embedded PostgreSQL
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:decisions-http
//   BENCH_CLIENTS=16 BENCH_REQUESTS=2000 BENCH_ROUNDS=3  # clients, requests per phase, phases of each kind
//   BENCH_PHASE_SECONDS=20                               # a phase also ends after this long (bounded run)
//   BENCH_STOP=kill                                      # stop the server under load with SIGKILL (a crash) instead of SIGTERM
//   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"  # Node flags for the server only (profiling)
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase, rowsOf, type Database } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { seedDemo } from "@/demo/seed-demo";
import { buildIfNeeded } from "../scripts/build-if-needed";
import { ensureEmbedded } from "../scripts/embedded-postgres";
import { printServerErrors, startNextServer } from "./next-server";

const num = (name: string, fallback: number) => {
  const raw = process.env[name];
  const n = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a number > 0 (got ${raw})`);
  return n;
};
const clients = Math.round(num("BENCH_CLIENTS", 16));
const perPhase = Math.round(num("BENCH_REQUESTS", 2000));
const rounds = Math.round(num("BENCH_ROUNDS", 3));
const phaseSeconds = num("BENCH_PHASE_SECONDS", 20);
const warmup = Math.round(num("BENCH_WARMUP", 300));
const rateTarget = 0.8;
const p99Target = 2;

const serverUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || null;
const dbName = `mosaic_bench_decisions_${Date.now().toString(36)}`;
const embeddedFolder = serverUrl ? null : fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-bench-decisions-"));
// Open to the user postgres, which the server runs as when this runs as root.
if (embeddedFolder) fs.chmodSync(embeddedFolder, 0o755);
const embedded = embeddedFolder ? await ensureEmbedded({ base: embeddedFolder }) : null;
const adminUrl = serverUrl ?? embedded!.urlOf("postgres");
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${dbName}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });

function open(): Database {
  return openDatabase({ url: dbUrl.toString() });
}

/** A fresh database with the demo consortium; the demo PACS's API key. */
async function prepareDatabase(): Promise<string> {
  await admin.unsafe(`create database ${dbName}`);
  const database = open();
  try {
    await runMigrations(database);
    const seeded = await seedDemo(database);
    if (seeded.outcome !== "seeded") throw new Error("the bench database was not empty");
    return seeded.demoApiKey;
  } finally {
    await database.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The server: the production build under `next start`, on a free loopback port.

let server: ChildProcess | null = null;
const serverErrors: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function startServer(port: number): Promise<void> {
  await buildIfNeeded();
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    AUTH_SECRET: randomBytes(33).toString("base64"),
    AUTH_URL: base,
    PORT: String(port),
    AUDIT_WITNESS_DIR: process.env.AUDIT_WITNESS_DIR || fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-bench-witness-")),
    // The benchmark is 16 clients of one key from one address as fast as they can go.
    RATE_LIMIT_API_PER_KEY: "1000000000",
    RATE_LIMIT_API_PER_ADDRESS: "1000000000",
  };
  env.DATABASE_URL = dbUrl.toString();
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  server = await startNextServer(port, env, serverErrors, nodeArgs);
}

/** Stops the server as a process manager does (SIGTERM), waiting up to 30 s, then SIGKILL. */
async function stopServer(): Promise<void> {
  const s = server;
  server = null;
  if (!s || s.exitCode !== null || s.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => s.once("exit", () => resolve()));
  s.kill("SIGTERM");
  if ((await Promise.race([gone.then(() => true), sleep(30_000).then(() => false)])) === false) {
    s.kill("SIGKILL");
    await gone;
  }
}

// ---------------------------------------------------------------------------------------------
// The requests: a PACS's mix of cross-trust permits, denials and same-trust views, each about its
// own study and patient (NHS numbers that pass the modulus-11 check).

function nhsNumber(n: number): string {
  for (let k = n; ; k++) {
    const digits = String(100_000_000 + (k % 800_000_000)).padStart(9, "0");
    const sum = [...digits].reduce((s, d, i) => s + Number(d) * (10 - i), 0);
    const check = (11 - (sum % 11)) % 11;
    if (check !== 10) return `${digits}${check}`;
  }
}

let asked = 0;
function decisionBody(): string {
  const n = asked++;
  const study = { studyDate: "2024-05-01", studyInstanceUid: `1.2.826.0.1.3680043.8.498.${n + 1}`, patientNhsNumber: nhsNumber(n * 7919) };
  const kind = n % 4;
  const request =
    kind === 3
      ? { requester: { user: "radiologist@rnz.example", trust: "RNZ" }, study: { ...study, sourceTrust: "RNZ", modality: "CT" }, purpose: "direct_care", patientEpisodeTrusts: ["RNZ"] }
      : {
          requester: { user: kind === 2 ? "radiologist@rhm.example" : "radiologist@rhu.example", trust: kind === 2 ? "RHM" : "RHU" },
          study: { ...study, sourceTrust: "RNZ", modality: "MR" },
          purpose: kind === 1 ? "research" : kind === 2 ? "direct_care" : "mdt",
          patientEpisodeTrusts: [kind === 2 ? "RHM" : "RHU", "RNZ"],
        };
  return JSON.stringify({ ...request, breakGlassJustification: null });
}

type Target = { name: string; method: "GET" | "POST"; path: string; body?: () => string; accept: (status: number, body: string) => boolean };
let port = 0;
let apiKey = "";
const failures: string[] = [];
const decided = { permit: 0, deny: 0, break_glass_required: 0 };
let answeredDecisions = 0;

const targets: Record<"decision" | "health", Target> = {
  decision: {
    name: "POST /api/v1/access-decisions",
    method: "POST",
    path: "/api/v1/access-decisions",
    body: decisionBody,
    accept: (status, body) => {
      if (status !== 200) return false;
      const d = (JSON.parse(body) as { decision?: keyof typeof decided }).decision;
      if (!d || !(d in decided)) return false;
      decided[d]++;
      answeredDecisions++;
      return true;
    },
  },
  health: { name: "GET /api/health", method: "GET", path: "/api/health", accept: (status, body) => status === 200 && body.includes('"ok"') },
};

function send(agent: http.Agent, t: Target): Promise<number> {
  const body = t.body?.();
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: t.method,
        path: t.path,
        agent,
        headers: { "user-agent": "mosaic-bench-decisions-http", ...(body ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), authorization: `Bearer ${apiKey}` } : {}) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("error", reject);
        res.on("end", () => {
          const ms = performance.now() - t0;
          if (!t.accept(res.statusCode ?? 0, text) && failures.length < 1000) failures.push(`${t.name}: ${res.statusCode} ${text.slice(0, 200)}`);
          resolve(ms);
        });
      },
    );
    req.on("error", reject);
    req.setTimeout(60_000, () => req.destroy(new Error(`${t.name}: no answer in 60 s`)));
    if (body) req.write(body);
    req.end();
  });
}

/** `count` requests by `clients` clients at once (each on its own keep-alive connection), bounded in time. */
async function phase(agents: http.Agent[], t: Target, count: number): Promise<{ ms: number[]; seconds: number }> {
  const ms: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const deadline = t0 + phaseSeconds * 1000;
  await Promise.all(
    agents.map(async (agent) => {
      while (next < count && performance.now() < deadline) {
        next++;
        ms.push(await send(agent, t));
      }
    }),
  );
  return { ms, seconds: (performance.now() - t0) / 1000 };
}

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
const fmt = (ms: number) => ms.toFixed(2);

/**
 * Stops the server with `signal` one second into a load of decisions from every client, which go
 * on asking until their connection is refused (a bounded loop). Answers other than 200 in this
 * phase are counted, not failures: a request cut off by the stop has no answer to audit.
 */
async function stopUnderLoad(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
  const s = server;
  if (!s) return;
  const agents = Array.from({ length: clients }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const before = answeredDecisions;
  const other = new Map<string, number>();
  let exited = false;
  s.once("exit", () => (exited = true));
  const lenient: Target = {
    ...targets.decision,
    accept: (status, body) => {
      if (status === 200) return targets.decision.accept(status, body);
      other.set(String(status), (other.get(String(status)) ?? 0) + 1);
      return true;
    },
  };
  const load = Promise.all(
    agents.map(async (agent) => {
      for (let i = 0; i < 100_000 && !exited; i++) {
        try {
          await send(agent, lenient);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? "error";
          other.set(code, (other.get(code) ?? 0) + 1);
          if (code === "ECONNREFUSED") return;
          await sleep(10);
        }
      }
    }),
  );
  await sleep(1000);
  const t0 = performance.now();
  if (signal === "SIGKILL") {
    server = null;
    s.kill("SIGKILL");
    await new Promise<void>((resolve) => (exited ? resolve() : s.once("exit", () => resolve())));
  } else {
    await stopServer();
  }
  const stopMs = performance.now() - t0;
  await load;
  for (const a of agents) a.destroy();
  const others = [...other].map(([k, n]) => `${n} ${k}`).join(", ") || "none";
  console.log(`\nStopped with ${signal} under load: ${answeredDecisions - before} decisions answered 200 in that phase; other outcomes: ${others}; the server exited ${stopMs.toFixed(0)} ms after the signal.`);
}

/** How many access.decision audit events the database holds (read after the server stopped). */
async function auditedDecisions(): Promise<number> {
  const database = open();
  try {
    const [row] = rowsOf<{ n: number | string }>(await database.db.execute(sql`select count(*) as n from audit_events where action = 'access.decision'`));
    return Number(row?.n ?? 0);
  } finally {
    await database.close();
  }
}

async function cleanup(): Promise<void> {
  await stopServer().catch(() => {});
  await admin.unsafe(`drop database if exists ${dbName} with (force)`).catch((e: unknown) => console.error(`could not drop ${dbName}:`, e));
  await admin.end();
  await embedded?.stop().catch((e: unknown) => console.error("could not stop the embedded PostgreSQL:", e));
  if (embeddedFolder) fs.rmSync(embeddedFolder, { recursive: true, force: true });
}

let exitCode = 0;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));
}
try {
  const t0 = performance.now();
  apiKey = await prepareDatabase();
  port = await freePort();
  await startServer(port);
  console.log(
    `Database: ${embedded ? "embedded PostgreSQL, fresh folder" : `PostgreSQL server, fresh database ${dbName}`}; server up in ${((performance.now() - t0) / 1000).toFixed(0)} s. ` +
      `${clients} clients, ${rounds} × ${perPhase} requests per kind (phases alternate, each at most ${phaseSeconds} s), after ${warmup} untimed of each.`,
  );
  const agents = Array.from({ length: clients }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  await phase(agents, targets.health, warmup);
  await phase(agents, targets.decision, warmup);
  const results = { decision: { ms: [] as number[], seconds: 0 }, health: { ms: [] as number[], seconds: 0 } };
  for (let r = 0; r < rounds; r++) {
    for (const kind of r % 2 === 0 ? (["health", "decision"] as const) : (["decision", "health"] as const)) {
      const p = await phase(agents, targets[kind], perPhase);
      results[kind].ms.push(...p.ms);
      results[kind].seconds += p.seconds;
    }
  }
  for (const a of agents) a.destroy();

  const rate = (k: "decision" | "health") => results[k].ms.length / results[k].seconds;
  const p99 = (k: "decision" | "health") => percentile(results[k].ms, 0.99);
  console.log(`\n${"".padEnd(30)} ${"n".padStart(6)} ${"req/s".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)}`);
  for (const k of ["health", "decision"] as const) {
    console.log(`${targets[k].name.padEnd(30)} ${String(results[k].ms.length).padStart(6)} ${rate(k).toFixed(0).padStart(8)} ${fmt(percentile(results[k].ms, 0.5)).padStart(8)} ${fmt(p99(k)).padStart(8)}`);
  }
  const rateRatio = rate("decision") / rate("health");
  const p99Ratio = p99("decision") / p99("health");
  const stopSignal = process.env.BENCH_STOP === "kill" ? "SIGKILL" : "SIGTERM";
  console.log(`\nDecisions: ${decided.permit} permit, ${decided.deny} deny, ${decided.break_glass_required} break-glass required.`);
  console.log(`Rate: decisions / health = ×${rateRatio.toFixed(2)} (target ≥ ${rateTarget}) ${rateRatio >= rateTarget ? "ok" : "MISSED"}`);
  console.log(`p99:  decisions / health = ×${p99Ratio.toFixed(2)} (target ≤ ${p99Target}) ${p99Ratio <= p99Target ? "ok" : "MISSED"}`);

  // Every decision answered 200 must be in the audit trail once the server has stopped, even when
  // it is stopped (SIGTERM, or SIGKILL with BENCH_STOP=kill) while the clients are still asking.
  await stopUnderLoad(stopSignal);
  const audited = await auditedDecisions();
  console.log(`Audit: ${audited} access.decision events for ${answeredDecisions} decisions answered 200 (warm-up included) ${audited >= answeredDecisions ? "ok" : "MISSING"}.`);
  if (audited < answeredDecisions) exitCode = 1;
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  if (failures.length) {
    exitCode = 1;
    console.log(`\n${failures.length} answer(s) were not a 200 with a decision; the first ones:`);
    for (const f of failures.slice(0, 10)) console.log(`  ${f}`);
  }
  printServerErrors(serverErrors);
  await cleanup();
}
process.exit(exitCode);
