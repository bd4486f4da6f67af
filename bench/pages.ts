// Every portal page under 20 concurrent signed-in users, on the PostgreSQL server, against the
// production build: p50 and p95 time to first byte per page, the health route's p50 and p95 sampled
// throughout the same run, and p95(page) / p95(health) against the target: at most 3× (issue 12
// "Pages that stay fast"; DESIGN.md's bound is under 4×).
//
// What it does: makes a database on the server (or reuses a kept one), migrates it and seeds the
// demo consortium with history exactly as `npm run db:seed -- --years N --scale F` does (same seed
// functions); builds if needed and serves the build with `next start` on a free port; signs in the
// demo users over HTTP as a browser does (Auth.js CSRF token and cookie, then the credentials
// callback); then the users walk, all at once and without pauses, every page of DESIGN.md their
// roles can see, while one more client asks GET /api/health over and over. Each response must be a
// 200 with the real page (the signed-in header, no "not found", no error boundary), or the run fails.
// "Verify now" on /audit/verify walks hash chains on purpose: it is timed once, on its own, after
// the page walk (the GET of the verify page, which lists earlier runs, is one of the pages).
//
// Time to first byte is the time from sending the request to the first byte of the body (the
// headers come with it: Next sends them when the page's shell is ready). Streamed parts under
// <Suspense> arrive later; the table shows each page's p95 to the last byte as well.
//
//   npm run bench:pages                                  # 1 year at scale 0.02 (35k exams, ~0.4M access events): a few minutes
//   BENCH_SCALE=1 npm run bench:pages                    # full demo scale (db:seed --years 1 --scale 1: 1.75M exams, ~20M access events;
//                                                        #   about 15 minutes of seeding and signing here, so add BENCH_KEEP=1)
//   BENCH_KEEP=1 npm run bench:pages                     # keep the database (named after its scale) and reuse it next time
//   BENCH_YEARS=1 BENCH_SCALE=0.1 BENCH_AUDIT_DAYS=90 BENCH_AUDIT_SCALE=0.1   # history and access history set apart, as db:seed
//   BENCH_USERS=20 BENCH_ROUNDS=5 BENCH_WARMUP=1         # users, timed rounds (each user walks its pages once a round), untimed rounds first
//   BENCH_USERS=ig@rnz.example,cio@consortium.example    # these people only
//   BENCH_SKIP=/audit,/storage                           # leave pages out (diagnosis: the others without the one that drowns them)
//   BENCH_VERIFY=trust|all|0                             # "Verify now" as a trust's IG officer (default), as the consortium's, or not at all
//   BENCH_DATABASE_URL=postgres://…                      # default postgres://postgres@127.0.0.1:5432/postgres
//   BENCH_PROFILE=1                                      # also what this database's busy connections were running (sampled)
//   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"   # Node flags for the server only
//   DATABASE_POOL_SIZE=20                                # the server's pool (default 10); the health route waits in the same pool
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import postgres from "postgres";
import { openDatabase, type Database } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { seedAccessHistoryWithProgress } from "@/demo/access-history-cli";
import { demoPassword, demoSignIns } from "@/demo/demo-consortium";
import { seedHistoryWithProgress } from "@/demo/history-cli";
import { seedDemo } from "@/demo/seed-demo";
import { generateSigningKeyPem } from "@/lib/audit/signing-key";
import { permissionsOf, type Permission } from "@/lib/auth/permissions";
import { buildIfNeeded } from "../scripts/build-if-needed";
import { printServerErrors, startNextServer } from "./next-server";
import { checkpointDemo } from "../scripts/cli-database";

const num = (name: string, fallback: number) => {
  const raw = process.env[name];
  const n = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number ≥ 0 (got ${raw})`);
  return n;
};
const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const keep = process.env.BENCH_KEEP === "1";
const years = num("BENCH_YEARS", 1);
const scale = num("BENCH_SCALE", 0.02);
const auditDays = Math.round(num("BENCH_AUDIT_DAYS", Math.round(years * 365)));
const auditScale = num("BENCH_AUDIT_SCALE", scale);
// BENCH_USERS: how many people (the demo sign-ins in turn), or which (a comma-separated list of their emails).
const chosenEmails = process.env.BENCH_USERS?.includes("@") ? process.env.BENCH_USERS.split(",").map((e) => e.trim()) : null;
const userCount = chosenEmails ? chosenEmails.length : Math.max(1, Math.round(num("BENCH_USERS", 20)));
const rounds = Math.max(1, Math.round(num("BENCH_ROUNDS", 5)));
const warmupRounds = Math.round(num("BENCH_WARMUP", 1));
const healthGapMs = num("BENCH_HEALTH_GAP_MS", 50);
const verifyAs = process.env.BENCH_VERIFY ?? "trust";
const target = 3; // at most 3× the health route's p95 (issue 12)

const scaleTag = `${years}y_${scale}s_${auditDays}d_${auditScale}a`.replace(/\./g, "_");
const dbName = process.env.BENCH_NAME ?? (keep ? `mosaic_bench_pages_${scaleTag}` : `mosaic_bench_pages_${Date.now().toString(36)}`);
// The checkpoint signing key of a kept database is kept beside the other benches' files, outside it.
const keyFile = path.resolve(".data", `bench-pages-${dbName}.pem`);

// ---------------------------------------------------------------------------------------------
// The database: made, migrated and seeded once (a kept one is reused when its seed finished).

const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
const dbUrl = new URL(serverUrl);
dbUrl.pathname = `/${dbName}`;
let database: Database | null = null;
let server: ChildProcess | null = null;

async function prepareDatabase(): Promise<void> {
  const exists = (await admin`select 1 from pg_database where datname = ${dbName}`).length > 0;
  if (exists && keep) {
    const probe = postgres(dbUrl.toString(), { max: 1, onnotice: () => {} });
    const done = await probe`select 1 from pg_tables where tablename = 'bench_pages_seeded'`.then((r) => r.length > 0).finally(() => probe.end());
    if (done && fs.existsSync(keyFile)) {
      process.env.AUDIT_SIGNING_KEY = fs.readFileSync(keyFile, "utf8");
      database = openDatabase({ url: dbUrl.toString() });
      await runMigrations(database);
      console.log(`Reusing the kept database ${dbName}.`);
      return;
    }
    console.log(`The kept database ${dbName} was not seeded to the end: making it again.`);
    await admin.unsafe(`drop database ${dbName} with (force)`);
  } else if (exists) {
    throw new Error(`database ${dbName} exists already`);
  }
  await admin.unsafe(`create database ${dbName}`);
  process.env.AUDIT_SIGNING_KEY = generateSigningKeyPem();
  if (keep) {
    fs.mkdirSync(path.dirname(keyFile), { recursive: true });
    fs.writeFileSync(keyFile, process.env.AUDIT_SIGNING_KEY, { mode: 0o600 });
  }
  database = openDatabase({ url: dbUrl.toString() });
  const t0 = performance.now();
  await runMigrations(database);
  // The same steps as `npm run db:seed -- --years N --scale F [--audit-days D --audit-scale G]`.
  if ((await seedDemo(database)).outcome !== "seeded") throw new Error("the bench database was not empty");
  if (years > 0) {
    const h = await seedHistoryWithProgress(database, years, scale);
    console.log(`History: ${h.exams.toLocaleString("en-GB")} exams over ${h.days} days in ${h.seconds.toFixed(0)} s.`);
  }
  if (auditDays > 0) {
    const a = await seedAccessHistoryWithProgress(database, auditDays, auditScale);
    console.log(`Access history: ${a.events.toLocaleString("en-GB")} events over ${a.days} days in ${a.seconds.toFixed(0)} s.`);
  }
  // As db:seed, sign checkpoints over what the seed wrote (the verify page starts its walks there).
  await checkpointDemo(database);
  const direct = postgres(dbUrl.toString(), { max: 1, onnotice: () => {} });
  await direct.unsafe("vacuum analyze"); // fresh statistics and visibility maps, as autovacuum would have after a load
  await direct.unsafe("create table bench_pages_seeded (at timestamptz not null default now())");
  await direct.unsafe("insert into bench_pages_seeded default values");
  await direct.end();
  console.log(`Seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s.`);
}

// ---------------------------------------------------------------------------------------------
// The server: the production build under `next start`, on a free port.

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

const serverErrors: string[] = [];

async function startServer(port: number): Promise<void> {
  await buildIfNeeded();
  const base = `http://127.0.0.1:${port}`;
  // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": Node flags for the server only.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  server = await startNextServer(
    port,
    {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: dbUrl.toString(),
      AUTH_SECRET: randomBytes(33).toString("base64"),
      AUTH_URL: base,
      PORT: String(port),
      AUDIT_WITNESS_DIR: process.env.AUDIT_WITNESS_DIR || fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-bench-witness-")),
      // Twenty people signing in at once from one address is the benchmark, not an attack.
      RATE_LIMIT_SIGN_IN_PER_ACCOUNT: "100000",
      RATE_LIMIT_SIGN_IN_PER_ADDRESS: "100000",
    },
    serverErrors,
    nodeArgs,
  );
}

// ---------------------------------------------------------------------------------------------
// HTTP as a browser does it: one keep-alive connection pool and one cookie jar per person.

type Timed = { status: number; location: string | undefined; setCookies: string[]; ttfb: number; total: number; body: string };
let port = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Browser {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
  readonly cookies = new Map<string, string>();

  async send(method: "GET" | "POST", urlPath: string, opts: { body?: string | Buffer; headers?: Record<string, string>; timeoutSeconds?: number } = {}): Promise<Timed> {
    try {
      return await this.sendOnce(method, urlPath, opts);
    } catch (error) {
      // A kept-alive socket the server closed as idle (its keep-alive timeout) resets the next
      // request sent on it; a browser sends a GET again on a new connection, and so does this.
      const code = (error as NodeJS.ErrnoException).code;
      if (method !== "GET" || (code !== "ECONNRESET" && code !== "EPIPE" && !/socket hang up/.test(String(error)))) throw error;
      return this.sendOnce(method, urlPath, opts);
    }
  }

  private async sendOnce(method: "GET" | "POST", urlPath: string, opts: { body?: string | Buffer; headers?: Record<string, string>; timeoutSeconds?: number }): Promise<Timed> {
    const headers: Record<string, string> = {
      "user-agent": "Mozilla/5.0 (X11; Linux x86_64) mosaic-bench-pages",
      accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
      "accept-encoding": "gzip",
      ...opts.headers,
    };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (opts.body !== undefined) headers["content-length"] = String(Buffer.byteLength(opts.body));
    const r = await new Promise<Timed & { raw: Buffer; gzip: boolean }>((resolve, reject) => {
      const t0 = performance.now();
      let first = 0;
      const req = http.request({ host: "127.0.0.1", port, method, path: urlPath, agent: this.agent, headers }, (res) => {
        const head = performance.now() - t0;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => {
          if (!first) first = performance.now() - t0;
          chunks.push(c);
        });
        res.on("error", reject);
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            setCookies: res.headers["set-cookie"] ?? [],
            ttfb: first || head,
            total: performance.now() - t0,
            body: "",
            raw: Buffer.concat(chunks),
            gzip: res.headers["content-encoding"] === "gzip",
          }),
        );
      });
      req.on("error", reject);
      const timeout = opts.timeoutSeconds ?? 600;
      req.setTimeout(timeout * 1000, () => req.destroy(new Error(`${method} ${urlPath}: no answer in ${timeout} s`)));
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
    for (const c of r.setCookies) {
      const [pair = ""] = c.split(";");
      const eq = pair.indexOf("=");
      if (eq > 0) {
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        if (value === "" || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
    }
    const { raw, gzip, ...timed } = r;
    return { ...timed, body: (gzip && raw.length ? gunzipSync(raw) : raw).toString("utf8") };
  }

  /** Auth.js credentials sign-in, as the browser's form post does it: CSRF token and cookie first. */
  async signIn(email: string): Promise<number> {
    const t0 = performance.now();
    const csrf = await this.send("GET", "/api/auth/csrf", { headers: { accept: "application/json" } });
    const { csrfToken } = JSON.parse(csrf.body) as { csrfToken?: string };
    if (csrf.status !== 200 || !csrfToken) throw new Error(`GET /api/auth/csrf answered ${csrf.status}`);
    const form = new URLSearchParams({ csrfToken, email, password: demoPassword, code: "", callbackUrl: `http://127.0.0.1:${port}/` });
    const res = await this.send("POST", "/api/auth/callback/credentials", {
      body: form.toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", origin: `http://127.0.0.1:${port}` },
    });
    if (res.status < 300 || res.status >= 400 || res.location?.includes("error") || !this.cookies.has("authjs.session-token")) {
      throw new Error(`sign-in of ${email} failed: ${res.status} → ${res.location ?? "(no redirect)"}`);
    }
    const home = await this.send("GET", "/");
    const problem = pageProblem(home);
    if (problem) throw new Error(`${email} signed in, but / ${problem}`);
    return performance.now() - t0;
  }
}

/** Why a response is not the real page, or null when it is. */
function pageProblem(r: Timed): string | null {
  if (r.status !== 200) return `answered ${r.status}${r.location ? ` → ${r.location}` : ""}`;
  if (!r.body.includes('data-testid="signed-in-as"')) return "is not a signed-in portal page (no signed-in header)";
  if (r.body.includes(">Page not found<")) return 'shows "Page not found"';
  if (r.body.includes(">Something went wrong<")) return "shows the error boundary";
  return null;
}

// ---------------------------------------------------------------------------------------------
// Who walks which pages.

type Person = { email: string; label: string; permissions: Set<Permission>; ods: string[]; userIds: string[]; patients: string[] };
type PageDef = { page: string; permission: Permission | null; path: (p: Person, round: number) => string };

const pick = <T>(list: T[], i: number): T => list[((i % list.length) + list.length) % list.length]!;
const today = new Date().toISOString().slice(0, 10);

// DESIGN.md's pages, each with the permission that shows it in the navigation (lib/nav.ts).
const pages: PageDef[] = [
  { page: "/", permission: null, path: () => "/" },
  { page: "/trusts", permission: "trusts.read", path: () => "/trusts" },
  { page: "/trusts/<ODS>", permission: "trusts.read", path: (p, r) => `/trusts/${pick(p.ods, r)}` },
  { page: "/users", permission: "users.read", path: () => "/users" },
  { page: "/users/<id>", permission: "users.read", path: (p, r) => `/users/${pick(p.userIds, r)}` },
  { page: "/sharing", permission: "sharing.read", path: () => "/sharing" },
  {
    page: "/sharing/simulator",
    permission: "sharing.read",
    // A question, as a person asks it: may a radiologist at another trust see this trust's MR for an MDT?
    path: (p, r) => {
      const source = pick(p.ods, r);
      const requester = ["RHM", "RHU", "RNZ", "R1F"].find((o) => o !== source) ?? "RHU";
      return `/sharing/simulator?${new URLSearchParams({ requesterTrust: requester, requesterRole: "radiologist", sourceTrust: source, modality: "MR", studyDate: today, purpose: "mdt", hasEpisode: "on" })}`;
    },
  },
  { page: "/audit", permission: "audit.read", path: () => "/audit" },
  { page: "/audit/patients/<NHS>", permission: "audit.read", path: (p, r) => `/audit/patients/${pick(p.patients, r)}` },
  { page: "/audit/alerts", permission: "alerts.work", path: () => "/audit/alerts" },
  { page: "/audit/verify", permission: "audit.verify", path: () => "/audit/verify" },
  { page: "/throughput", permission: "capacity.read", path: () => "/throughput" },
  { page: "/storage", permission: "capacity.read", path: () => "/storage" },
  { page: "/settings/api-clients", permission: "api_clients.manage", path: () => "/settings/api-clients" },
];

async function people(): Promise<Person[]> {
  const sql = postgres(dbUrl.toString(), { max: 1, onnotice: () => {} });
  try {
    const trusts = await sql<{ id: string; ods_code: string }[]>`select id, ods_code from trusts order by ods_code`;
    const samples = new Map<string, { userIds: string[]; patients: string[] }>();
    for (const t of trusts) {
      // Staff of the trust who hold a role there (in a trust manager's scope).
      const userIds = (
        await sql<{ id: string }[]>`select u.id from users u where u.home_trust_id = ${t.id}
          and exists (select 1 from role_assignments r where r.user_id = u.id and r.trust_id = ${t.id} and r.revoked_at is null)
          order by md5(u.id::text) limit 5`
      ).map((r) => r.id);
      // Patients whose images the trust holds, at instants spread over the history (index on source trust and time).
      const [span] = await sql<{ lo: Date | null; hi: Date | null }[]>`select min(occurred_at) as lo, max(occurred_at) as hi from audit_events where source_trust_id = ${t.id} and patient_nhs_number is not null`;
      const patients: string[] = [];
      if (span?.lo && span.hi) {
        for (let i = 0; i < 5; i++) {
          const at = new Date(span.lo.getTime() + ((i + 0.5) / 5) * (span.hi.getTime() - span.lo.getTime()));
          const [e] = await sql<{ n: string }[]>`select patient_nhs_number as n from audit_events where source_trust_id = ${t.id} and occurred_at <= ${at}
            and patient_nhs_number is not null order by occurred_at desc limit 1`;
          if (e) patients.push(e.n);
        }
      }
      samples.set(t.ods_code, { userIds, patients: patients.length ? patients : ["9990000018"] });
    }
    const list = chosenEmails ? chosenEmails.map((email) => demoSignIns().find((d) => d.email === email) ?? { email, role: "(not a demo sign-in)" }) : demoSignIns();
    const out: Person[] = [];
    for (let i = 0; i < userCount; i++) {
      const s = list[i % list.length]!;
      const roles = await sql<{ role: string; ods: string | null }[]>`select r.role, t.ods_code as ods from role_assignments r join users u on u.id = r.user_id
        left join trusts t on t.id = r.trust_id where u.email = ${s.email} and r.revoked_at is null`;
      const permissions = new Set(roles.flatMap((r) => permissionsOf(r.role)));
      const ods = roles.some((r) => r.ods === null) ? trusts.map((t) => t.ods_code) : [...new Set(roles.map((r) => r.ods!))];
      // Consortium people look at every trust's records in turn.
      const mine = ods.map((o) => samples.get(o)!);
      const interleave = (k: "userIds" | "patients") => Array.from({ length: 5 }, (_, j) => mine.map((m) => m[k][j]).filter((x): x is string => Boolean(x))).flat();
      out.push({ email: s.email, label: i >= list.length ? `${s.role} (a second session)` : s.role, permissions, ods, userIds: interleave("userIds"), patients: interleave("patients") });
    }
    return out;
  } finally {
    await sql.end();
  }
}

// BENCH_SKIP=/audit,/storage leaves pages out (to see the others without one that drowns them).
const skipped = new Set((process.env.BENCH_SKIP ?? "").split(",").map((x) => x.trim()).filter(Boolean));
const canSee = (p: Person, page: PageDef) => !skipped.has(page.page) && (page.permission === null || p.permissions.has(page.permission));

// ---------------------------------------------------------------------------------------------
// Measuring.

type Sample = { page: string; ttfb: number; total: number; bytes: number };
const failures: string[] = [];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : NaN;
}

/** GET /api/health over and over, one request at a time, until stopped. */
function sampleHealth(): { stop: () => Promise<number[]> } {
  const browser = new Browser();
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const r = await browser.send("GET", "/api/health", { headers: { accept: "application/json" } });
      if (r.status !== 200) failures.push(`GET /api/health answered ${r.status}`);
      else times.push(r.ttfb);
      await sleep(healthGapMs);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      browser.agent.destroy();
      return times;
    },
  };
}

async function walk(person: Person, browser: Browser, index: number, round: number, into: Sample[] | null): Promise<void> {
  const mine = pages.filter((p) => canSee(person, p));
  // Each person starts at a different page, so that the same page is not asked by everyone at once.
  for (let k = 0; k < mine.length; k++) {
    const page = mine[(k + index + round) % mine.length]!;
    const url = page.path(person, round + index);
    const r = await browser.send("GET", url);
    const problem = pageProblem(r);
    if (problem) failures.push(`${person.email} GET ${url} ${problem}`);
    else into?.push({ page: page.page, ttfb: r.ttfb, total: r.total, bytes: r.body.length });
  }
}

/** "Verify now" as a browser without JavaScript submits it: the form's action id and a multipart post. */
async function timeVerifyNow(browser: Browser, who: string): Promise<void> {
  const page = await browser.send("GET", "/audit/verify");
  // The hidden action id of the form around the "Verify now" button (the header's sign-out form has one too).
  const button = page.body.indexOf(">Verify now<");
  const actionField = button < 0 ? undefined : /name="(\$ACTION_ID_[0-9a-f]+)"/.exec(page.body.slice(page.body.lastIndexOf("<form", button), button))?.[1];
  if (!actionField) {
    failures.push(`${who}: no "Verify now" form on /audit/verify`);
    return;
  }
  const boundary = `----mosaicbench${randomBytes(8).toString("hex")}`;
  const body = `--${boundary}\r\nContent-Disposition: form-data; name="${actionField}"\r\n\r\n\r\n--${boundary}--\r\n`;
  const health = sampleHealth();
  const r = await browser.send("POST", "/audit/verify", {
    body,
    headers: { "content-type": `multipart/form-data; boundary=${boundary}`, origin: `http://127.0.0.1:${port}` },
    timeoutSeconds: 600, // at most a million events walked (lib/audit/verify-runs.ts), about half a minute
  });
  const h = await health.stop();
  const after = await browser.send("GET", "/audit/verify");
  const checked = /Every chain is intact \((\d+) checked\)|(\d+) chain\(s\) (broken|not verified)/.exec(after.body)?.[0] ?? "no result shown";
  // The "Events walked" cells of the latest run (the number, then where the walk started).
  const events = [...after.body.matchAll(/<td class="px-3 py-2 text-right">([\d,]+)</g)].map((m) => Number(m[1]!.replace(/,/g, "")));
  const walked = events.reduce((a, b) => a + b, 0);
  if (r.status !== 200 && r.status !== 303) failures.push(`${who}: POST Verify now answered ${r.status}`);
  console.log(`\n"Verify now" (a deliberately heavy action: walks the hash chains; not a page load), once, as ${who}:`);
  console.log(
    `  ${fmt(r.ttfb)} ms to the answer; ${walked.toLocaleString("en-GB")} events walked (${walked ? Math.round(walked / (r.ttfb / 1000)).toLocaleString("en-GB") : 0}/s); ${checked}` +
      `; health meanwhile p50 ${fmt(percentile(h, 0.5))} ms, p95 ${fmt(percentile(h, 0.95))} ms (${h.length} samples)`,
  );
}

const fmt = (ms: number) => (Number.isFinite(ms) ? (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)) : "—");

async function counts(): Promise<{ exams: number; events: number; users: number }> {
  const sql = postgres(dbUrl.toString(), { max: 1, onnotice: () => {} });
  try {
    const [r] = await sql<{ exams: string; events: string; users: string }[]>`select (select count(*) from exams)::text as exams,
      (select coalesce(sum(seq), 0) from audit_chain_heads)::text as events, (select count(*) from users)::text as users`;
    return { exams: Number(r!.exams), events: Number(r!.events), users: Number(r!.users) };
  } finally {
    await sql.end();
  }
}

// ---------------------------------------------------------------------------------------------

// Where the time went: CPU seconds of the Next server (its process tree) and of this database's
// PostgreSQL backends over the timed run, and (BENCH_PROFILE=1) what those backends were doing,
// sampled from pg_stat_activity every 50 ms: a poor man's pg_stat_statements, which is not loaded here.

const ticksPerSecond = 100; // getconf CLK_TCK on Linux

function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone, or not Linux
    }
  }
  return ticks / ticksPerSecond;
}

function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.existsSync("/proc") ? fs.readdirSync("/proc") : []) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

function watchDatabase(): { stop: () => Promise<{ pgCpu: number; serverCpu: number; report: string[] }> } {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const serverPids = server?.pid ? processTree(server.pid) : [];
  const serverCpu0 = cpuSeconds(serverPids);
  const pgCpu0 = new Map<number, number>();
  const seen = new Set<number>();
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await sql<{ pid: number; state: string | null; wait: string | null; query: string }[]>`
        select pid, state, wait_event_type || ':' || wait_event as wait, left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 160) as query
          from pg_stat_activity where datname = ${dbName} and pid <> pg_backend_pid() and backend_type = 'client backend'`;
      samples++;
      for (const r of rows) {
        if (!seen.has(r.pid)) {
          seen.add(r.pid);
          pgCpu0.set(r.pid, cpuSeconds([r.pid]));
        }
        if (r.state === "idle") continue;
        const key = r.state === "active" ? `${r.wait && !r.wait.startsWith("Client") ? `[${r.wait}] ` : ""}${r.query}` : `(${r.state}: the app holds the connection) ${r.query}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      await sleep(50);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await sql.end();
      const pgCpu = [...seen].reduce((sum, pid) => sum + Math.max(0, cpuSeconds([pid]) - (pgCpu0.get(pid) ?? 0)), 0);
      const busy = [...counts.values()].reduce((a, b) => a + b, 0);
      const report = [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 15)
        .map(([q, n]) => `${(n / samples).toFixed(2).padStart(6)} ${q}`);
      report.unshift(`  on average ${(busy / samples).toFixed(1)} of this database's connections were busy (${samples} samples); busy connections by statement:`);
      return { pgCpu, serverCpu: cpuSeconds(serverPids) - serverCpu0, report };
    },
  };
}

const cleanup = async () => {
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => server?.once("exit", r));
  }
  await database?.close();
  database = null;
  if (keep) console.log(`Kept database ${dbName} (BENCH_KEEP=1).`);
  else await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

let exitCode = 0;
try {
  const full = years === 1 && scale === 1 && auditDays === 365 && auditScale === 1;
  console.log(
    `Portal pages under ${userCount} concurrent users, PostgreSQL server, production build.\n` +
      `Scale: ${years} year(s) of history at scale ${scale}, ${auditDays} days of access history at scale ${auditScale} ` +
      `(db:seed --years ${years} --scale ${scale}${auditDays !== Math.round(years * 365) || auditScale !== scale ? ` --audit-days ${auditDays} --audit-scale ${auditScale}` : ""})` +
      (full ? " — full demo scale." : " — NOT full demo scale (BENCH_SCALE=1 for db:seed --years 1 --scale 1)."),
  );
  await prepareDatabase();
  const c = await counts();
  console.log(`Database ${dbName}: ${c.exams.toLocaleString("en-GB")} exams, ${c.events.toLocaleString("en-GB")} audit events, ${c.users.toLocaleString("en-GB")} users.`);
  port = await freePort();
  await startServer(port);
  console.log(`next start on port ${port} (database pool ${process.env.DATABASE_POOL_SIZE ?? 10} connections).`);

  const rest = sampleHealth();
  await sleep(3000);
  const atRest = await rest.stop();

  const persons = await people();
  const browsers = persons.map(() => new Browser());
  const signInMs: number[] = [];
  // A few at a time: each sign-in is a memory-hard password hash.
  for (let i = 0; i < persons.length; i += 4) {
    signInMs.push(...(await Promise.all(persons.slice(i, i + 4).map((p, j) => browsers[i + j]!.signIn(p.email)))));
  }
  console.log(`Signed in ${persons.length} people (${new Set(persons.map((p) => p.email)).size} distinct) over HTTP: sign-in p50 ${fmt(percentile(signInMs, 0.5))} ms, p95 ${fmt(percentile(signInMs, 0.95))} ms.`);
  for (const p of persons) console.log(`  ${p.email.padEnd(26)} ${p.label.padEnd(46)} ${pages.filter((pg) => canSee(p, pg)).length} pages`);

  for (let r = 0; r < warmupRounds; r++) await Promise.all(persons.map((p, i) => walk(p, browsers[i]!, i, rounds + r, null)));
  const samples: Sample[] = [];
  const watch = watchDatabase();
  const health = sampleHealth();
  const t0 = performance.now();
  await Promise.all(
    persons.map(async (p, i) => {
      await sleep((i * 37) % 250); // not all in the same millisecond
      for (let r = 0; r < rounds; r++) await walk(p, browsers[i]!, i, r, samples);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const healthMs = await health.stop();
  const { pgCpu, serverCpu, report } = await watch.stop();

  const h50 = percentile(healthMs, 0.5);
  const h95 = percentile(healthMs, 0.95);
  console.log(
    `\n${samples.length} page loads in ${seconds.toFixed(0)} s (${(samples.length / seconds).toFixed(1)}/s), ${rounds} round(s) per person after ${warmupRounds} untimed; ` +
      `health sampled ${healthMs.length} times meanwhile (at rest before the run: p50 ${fmt(percentile(atRest, 0.5))} ms, p95 ${fmt(percentile(atRest, 0.95))} ms).`,
  );
  console.log(`Time to first byte in ms; target: p95(page) ≤ ${target} × p95(health) in the same run.\n`);
  console.log(`${"page".padEnd(24)} ${"n".padStart(4)} ${"p50".padStart(8)} ${"p95".padStart(8)} ${"p95 last byte".padStart(14)} ${"HTML kB".padStart(8)} ${"p95 / health p95".padStart(17)}`);
  console.log(`${"GET /api/health".padEnd(24)} ${String(healthMs.length).padStart(4)} ${fmt(h50).padStart(8)} ${fmt(h95).padStart(8)}`);
  let missed = 0;
  for (const page of pages) {
    const mine = samples.filter((s) => s.page === page.page);
    if (!mine.length) continue;
    const p95 = percentile(mine.map((s) => s.ttfb), 0.95);
    const ratio = p95 / h95;
    if (!(ratio <= target)) missed++;
    console.log(
      `${page.page.padEnd(24)} ${String(mine.length).padStart(4)} ${fmt(percentile(mine.map((s) => s.ttfb), 0.5)).padStart(8)} ${fmt(p95).padStart(8)} ` +
        `${fmt(percentile(mine.map((s) => s.total), 0.95)).padStart(14)} ${(mine.reduce((a, s) => a + s.bytes, 0) / mine.length / 1000).toFixed(0).padStart(8)} ` +
        `${`×${ratio.toFixed(2)}`.padStart(17)}  ${ratio <= target ? "ok" : "MISSED"}`,
    );
  }
  console.log(
    `\nCPU over the timed run: Next server ${serverCpu.toFixed(1)} s (${((serverCpu / samples.length) * 1000).toFixed(0)} ms a page), ` +
      `PostgreSQL backends of this database ${pgCpu.toFixed(1)} s (${((pgCpu / samples.length) * 1000).toFixed(0)} ms a page), in ${seconds.toFixed(0)} s on ${os.cpus().length} cores.`,
  );
  if (process.env.BENCH_PROFILE === "1") for (const line of report) console.log(line);
  if (skipped.size) console.log(`\nLeft out (BENCH_SKIP): ${[...skipped].join(", ")}.`);
  console.log(`\n${missed ? `MISSED on ${missed} page(s)` : "Every page meets the target"} (p95 ≤ ${target} × health p95 = ${fmt(target * h95)} ms).`);

  if (verifyAs !== "0") {
    const who = verifyAs === "all" ? "ig@consortium.example" : "ig@r1f.example";
    const i = persons.findIndex((p) => p.email === who);
    const browser = i >= 0 ? browsers[i]! : new Browser();
    if (i < 0) await browser.signIn(who);
    await timeVerifyNow(browser, who);
  }
  for (const b of browsers) b.agent.destroy();
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  if (failures.length) {
    exitCode = 1;
    console.log(`\n${failures.length} response(s) were not the real page; the first ones:`);
    for (const f of failures.slice(0, 10)) console.log(`  ${f}`);
  }
  printServerErrors(serverErrors);
  await cleanup();
}
process.exit(exitCode);
