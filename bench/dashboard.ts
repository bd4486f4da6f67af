// The throughput dashboard at 1 year and at 8 years of history, on the PostgreSQL server.
//
//   npm run bench:dashboard -- [--scale F] [--runs N] [--keep]
//
// Makes a throwaway database on the server (BENCH_DATABASE_URL or TEST_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/postgres), seeds the demo consortium and one year of history at
// scale F, times the throughput page's server-side work (every query and shaping its render needs,
// through lib/capacity, as the consortium CIO and as a trust's CIO), then extends the history to
// eight years and times it again. Prints medians, p95s and the 8-year / 1-year ratio (target < 1.3).
// React's rendering of the result does not depend on history length, so it is not in the timing.
import { parseArgs } from "node:util";
import postgres from "postgres";
import { openDatabase, useDatabase as pointLibAt, type Database } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { seedDemo } from "@/db/seed/seed-demo";
import { seedHistoryWithProgress } from "@/db/seed/history-cli";
import { users } from "@/db/schema";
import type { Ctx } from "@/lib/auth/context";
import { addDays, londonToday } from "@/lib/capacity/dates";
import { countRollups } from "@/lib/capacity/rollups";
import { parseCapacityFilter } from "@/lib/capacity/filter";
import { getStorage, getThroughput } from "@/lib/capacity/queries";
import { eq } from "drizzle-orm";

const { values } = parseArgs({
  options: { scale: { type: "string", default: "0.25" }, runs: { type: "string", default: "15" }, keep: { type: "boolean", default: false } },
});
const scale = Number(values.scale);
const runs = Number(values.runs);
const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const name = `mosaic_bench_${Date.now().toString(36)}`;
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const database: Database = openDatabase({ url: url.toString() });
pointLibAt(database);

async function ctxOf(email: string, role: string, trustId: string | null): Promise<Ctx> {
  const [u] = await database.db.select({ id: users.id, name: users.name, homeTrustId: users.homeTrustId }).from(users).where(eq(users.email, email));
  if (!u) throw new Error(`no demo user ${email}`);
  return { userId: u.id, email, name: u.name, homeTrustId: u.homeTrustId, sessionId: null, roles: [{ role, trustId }], client: { ip: null, userAgent: "bench" } };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0;

/** Times the throughput page's data for each view, `runs` times after three warm-ups. */
async function measure(label: string, views: { name: string; ctx: Ctx; params: Record<string, string> }[]) {
  const out: Record<string, { median: number; p95: number }> = {};
  for (const v of views) {
    const filter = parseCapacityFilter(v.params);
    for (let i = 0; i < 3; i++) await getThroughput(v.ctx, filter);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await getThroughput(v.ctx, filter);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    out[v.name] = { median: pct(times, 0.5), p95: pct(times, 0.95) };
  }
  const t = performance.now();
  await getStorage(views[0]!.ctx, parseCapacityFilter({}));
  const storageMs = performance.now() - t;
  console.log(`\n${label}`);
  for (const [k, m] of Object.entries(out)) console.log(`  ${k.padEnd(44)} median ${m.median.toFixed(1).padStart(7)} ms   p95 ${m.p95.toFixed(1).padStart(7)} ms`);
  console.log(`  ${"storage page data (one run)".padEnd(44)} ${storageMs.toFixed(1).padStart(14)} ms`);
  return out;
}

try {
  await runMigrations(database);
  const seeded = await seedDemo(database);
  if (seeded.outcome !== "seeded") throw new Error("the bench database was not empty");
  const rhm = (await database.db.query.trusts.findFirst({ where: (t, { eq: e }) => e(t.odsCode, "RHM") }))?.id ?? null;
  const consortiumCio = await ctxOf("cio@consortium.example", "cio", null);
  const trustCio = await ctxOf("cio@rhm.example", "cio", rhm);
  const today = londonToday();
  const views: { name: string; ctx: Ctx; params: Record<string, string> }[] = [
    { name: "consortium CIO, default (last 90 days)", ctx: consortiumCio, params: {} },
    { name: "consortium CIO, last 365 days, CT", ctx: consortiumCio, params: { from: addDays(today, -364), modality: "CT" } },
    { name: "consortium CIO, RHM, last 90 days", ctx: consortiumCio, params: { trust: "RHM" } },
    { name: "trust CIO (RHM), default", ctx: trustCio, params: {} },
  ];

  console.log(`PostgreSQL server, database ${name}; history at scale ${scale}; ${runs} timed runs per view.`);
  const one = await seedHistoryWithProgress(database, 1, scale);
  console.log(`Seeded 1 year: ${one.exams.toLocaleString("en-GB")} exams in ${one.seconds.toFixed(1)} s, peak memory ${one.peakRssMb} MB.`);
  {
    const direct = postgres(url.toString(), { max: 1, onnotice: () => {} });
    await direct.unsafe("analyze");
    await direct.end();
  }
  console.log("Rollup rows:", await countRollups(database.db));
  // Warm the JIT and the connection pool on every view first, so the first measurement is not penalised.
  for (let i = 0; i < 5; i++) for (const v of views) await getThroughput(v.ctx, parseCapacityFilter(v.params));
  const at1 = await measure("1 year of history", views);

  // The same last year and seven years before it (the generator is deterministic, so the last
  // year's exams already stored are skipped as duplicates).
  const eight = await seedHistoryWithProgress(database, 8, scale);
  console.log(`\nExtended to 8 years: ${eight.exams.toLocaleString("en-GB")} more exams in ${eight.seconds.toFixed(1)} s, peak memory ${eight.peakRssMb} MB.`);
  // Fresh planner statistics, as autovacuum would have after a load this size.
  const direct = postgres(url.toString(), { max: 1, onnotice: () => {} });
  await direct.unsafe("analyze");
  await direct.end();
  console.log("Rollup rows:", await countRollups(database.db));
  const at8 = await measure("8 years of history", views);

  console.log("\nRatio 8 years / 1 year (median; target < 1.3):");
  let worst = 0;
  for (const k of Object.keys(at1)) {
    const r = (at8[k]?.median ?? 0) / (at1[k]?.median ?? 1);
    worst = Math.max(worst, r);
    console.log(`  ${k.padEnd(44)} ${r.toFixed(2)}`);
  }
  console.log(`  ${"worst".padEnd(44)} ${worst.toFixed(2)} ${worst < 1.3 ? "(meets the target)" : "(MISSES the target)"}`);
} finally {
  await database.close();
  if (!values.keep) await admin.unsafe(`drop database if exists ${name} with (force)`);
  else console.log(`Kept database ${name}.`);
  await admin.end();
}
