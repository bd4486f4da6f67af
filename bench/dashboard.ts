// The throughput dashboard at 1 year and at 8 years of history, on the PostgreSQL server.
//
//   npm run bench:dashboard -- [--scale F] [--runs N] [--keep]
//
// Makes two throwaway databases on the server (BENCH_DATABASE_URL or TEST_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/postgres): the demo consortium with 1 year of history, and with
// 8 years, at scale F (the generator is calendar-anchored and deterministic, so the last year is the
// same exams in both). It then times the throughput page's server-side work — every query and all
// the shaping its render needs, through lib/capacity, as the consortium CIO and as a trust's CIO —
// alternating between the two databases run by run, so that load from other processes falls on both
// alike. Prints medians, p95s and the 8-year / 1-year ratio (target < 1.3). React's rendering of
// the result does not depend on the history's length and is left out.
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase, useDatabase as pointLibAt, type Database } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { seedHistoryWithProgress } from "@/demo/history-cli";
import { seedDemo } from "@/demo/seed-demo";
import { trusts, users } from "@/db/schema";
import type { Ctx } from "@/lib/auth/context";
import { addDays, londonToday } from "@/lib/calendar";
import { parseCapacityFilter } from "@/lib/capacity/filter";
import { getStorage, getThroughput } from "@/lib/capacity/queries";
import { countRollups } from "@/lib/capacity/rollups";

const { values } = parseArgs({
  options: { scale: { type: "string", default: "0.25" }, runs: { type: "string", default: "15" }, keep: { type: "boolean", default: false } },
});
const scale = Number(values.scale);
const runs = Number(values.runs);
const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
const made: { name: string; database: Database }[] = [];

type View = { name: string; ctx: Ctx; params: Record<string, string> };

async function makeDatabase(years: number): Promise<{ database: Database; views: View[] }> {
  const name = `mosaic_bench_${years}y_${Date.now().toString(36)}`;
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = openDatabase({ url: url.toString() });
  made.push({ name, database });
  await runMigrations(database);
  if ((await seedDemo(database)).outcome !== "seeded") throw new Error("the bench database was not empty");
  const h = await seedHistoryWithProgress(database, years, scale);
  console.log(`${years} year(s): ${h.exams.toLocaleString("en-GB")} exams in ${h.seconds.toFixed(1)} s, peak memory ${h.peakRssMb} MB.`);
  const direct = postgres(url.toString(), { max: 1, onnotice: () => {} });
  await direct.unsafe("analyze"); // fresh planner statistics, as autovacuum would have after a load
  await direct.end();
  console.log("  rollup rows:", JSON.stringify(await countRollups(database.db)));

  const ctxOf = async (email: string, trustOds: string | null): Promise<Ctx> => {
    const [u] = await database.db.select({ id: users.id, name: users.name, homeTrustId: users.homeTrustId }).from(users).where(eq(users.email, email));
    const [t] = trustOds ? await database.db.select({ id: trusts.id }).from(trusts).where(eq(trusts.odsCode, trustOds)) : [];
    if (!u) throw new Error(`no demo user ${email}`);
    return { userId: u.id, email, name: u.name, homeTrustId: u.homeTrustId, sessionId: null, roles: [{ role: "cio", trustId: t?.id ?? null }], client: { ip: null, userAgent: "bench" } };
  };
  const consortiumCio = await ctxOf("cio@consortium.example", null);
  const trustCio = await ctxOf("cio@rhm.example", "RHM");
  const today = londonToday();
  return {
    database,
    views: [
      { name: "consortium CIO, default (last 90 days)", ctx: consortiumCio, params: {} },
      { name: "consortium CIO, last 365 days, CT", ctx: consortiumCio, params: { from: addDays(today, -364), modality: "CT" } },
      { name: "consortium CIO, RHM, last 90 days", ctx: consortiumCio, params: { trust: "RHM" } },
      { name: "trust CIO (RHM), default", ctx: trustCio, params: {} },
      { name: "storage page, consortium CIO", ctx: consortiumCio, params: { storage: "1" } },
    ],
  };
}

async function timeView(database: Database, v: View): Promise<number> {
  pointLibAt(database);
  const { storage, ...params } = v.params;
  const filter = parseCapacityFilter(params);
  const t = performance.now();
  if (storage) await getStorage(v.ctx, filter);
  else await getThroughput(v.ctx, filter);
  return performance.now() - t;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0;

try {
  console.log(`PostgreSQL server; history at scale ${scale}; ${runs} timed runs per view and database, alternating.`);
  const one = await makeDatabase(1);
  const eight = await makeDatabase(8);
  // Warm the JIT, the pools and the caches of both databases on every view.
  for (let i = 0; i < 3; i++) for (const [k, v] of one.views.entries()) for (const db of [one, eight]) await timeView(db.database, db.views[k] ?? v);
  const times = one.views.map(() => ({ one: [] as number[], eight: [] as number[] }));
  for (let r = 0; r < runs; r++) {
    for (const [k] of one.views.entries()) {
      // Alternate which database goes first, so neither always follows the other.
      const order = r % 2 === 0 ? ([one, eight] as const) : ([eight, one] as const);
      for (const db of order) (db === one ? times[k]!.one : times[k]!.eight).push(await timeView(db.database, db.views[k]!));
    }
  }
  console.log(`\n${"view".padEnd(42)} ${"1 year median / p95".padStart(22)} ${"8 years median / p95".padStart(22)}  ratio`);
  let worst = 0;
  for (const [k, v] of one.views.entries()) {
    const a = times[k]!.one.sort((x, y) => x - y);
    const b = times[k]!.eight.sort((x, y) => x - y);
    const ratio = pct(b, 0.5) / pct(a, 0.5);
    worst = Math.max(worst, ratio);
    const fmt = (s: number[]) => `${pct(s, 0.5).toFixed(1)} / ${pct(s, 0.95).toFixed(1)} ms`;
    console.log(`${v.name.padEnd(42)} ${fmt(a).padStart(22)} ${fmt(b).padStart(22)}  ${ratio.toFixed(2)}`);
  }
  console.log(`\nWorst ratio 8 years / 1 year (medians): ${worst.toFixed(2)} ${worst < 1.3 ? "— meets the target (< 1.3)" : "— MISSES the target (< 1.3)"}`);
} finally {
  for (const m of made) await m.database.close();
  for (const m of made) {
    if (values.keep) console.log(`Kept database ${m.name}.`);
    else await admin.unsafe(`drop database if exists ${m.name} with (force)`);
  }
  await admin.end();
}
