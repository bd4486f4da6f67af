// Audit search latency on the PostgreSQL server at about 1M and about 10M access events: the
// search page's queries (lib/audit/search.ts findAuditEvents, as a consortium IG officer and as a
// trust's IG officer) by patient, by user, by trust + a day, and page 1 against page 1,000 of a
// keyset-paged result. Prints p50 and p95 and the ratios DESIGN.md sets targets for:
// 10M ≤ 1.5 × 1M, and page 1,000 ≤ 1.5 × page 1.
//
// The history is made by the demo generator (db/seed/access-history.ts) at scale 1 from BENCH_START
// (default 2026-03-01), a week at a time, until the target count is reached; the secondary indexes
// of audit_events are dropped while it loads and rebuilt from their own definitions before timing
// (the usual bulk-load practice; the searches run on exactly the migrations' indexes).
//
//   npm run bench:audit-search
//   BENCH_KEEP=1 npm run bench:audit-search      # keep the database (mosaic_bench_audit_search) and reuse it next time
//   BENCH_DATABASE_URL=postgres://… BENCH_SMALL=1000000 BENCH_LARGE=10000000 BENCH_RUNS=40
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase, rowsOf, useDatabase, type Database } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { generateAccessHistory } from "@/db/seed/access-history";
import { seedDemo } from "@/db/seed/seed-demo";
import { findAuditEvents } from "@/lib/audit/search";
import type { AuditFilter } from "@/lib/audit/search-filter";
import type { Ctx } from "@/lib/auth/context";
import { withTenant } from "@/lib/db/scope";

const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const keep = process.env.BENCH_KEEP === "1";
const small = Number(process.env.BENCH_SMALL ?? 1_000_000);
const large = Number(process.env.BENCH_LARGE ?? 10_000_000);
const runs = Number(process.env.BENCH_RUNS ?? 40);
const start = process.env.BENCH_START ?? "2026-03-01";
const dbName = process.env.BENCH_NAME ?? (keep ? "mosaic_bench_audit_search" : `mosaic_bench_search_${Date.now().toString(36)}`);
const resultsFile = path.resolve(".data", `bench-audit-search-${dbName}.json`);

const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
const exists = (await admin`select 1 from pg_database where datname = ${dbName}`).length > 0;
if (!exists) await admin.unsafe(`create database ${dbName}`);
const url = new URL(serverUrl);
url.pathname = `/${dbName}`;
const database: Database = openDatabase({ url: url.toString() });
// eslint-disable-next-line react-hooks/rules-of-hooks -- not a React hook: points lib/ at this database
useDatabase(database);

const q = async <T>(query: ReturnType<typeof sql>) => rowsOf<T>(await database.db.execute(query));

async function accessEvents(): Promise<number> {
  await database.db.execute(sql`create table if not exists bench_replicas (copy integer primary key, shift_days integer not null, rows bigint not null)`);
  const [row] = await q<{ n: string | number | null }>(
    sql`select (select coalesce(sum(seq), 0) from audit_chain_heads h join trusts t on t.id::text = h.chain) + (select coalesce(sum(rows), 0) from bench_replicas) as n`,
  );
  return Number(row?.n ?? 0);
}

// Past what the generator writes in the time allowed (BENCH_GENERATE, default 1.5M events: the
// generator is CPU-bound, about 2-3k events/s on this shared 2-core machine), the history is
// extended with copies of the generated weeks shifted later in time: new ids, the same patients,
// staff and rhythm, as a longer history of the same consortium would be. Copies sit on chains of
// their own ("replica-…"), so the trusts' real chains still verify.
const generateUpTo = Number(process.env.BENCH_GENERATE ?? 1_500_000);

async function replicateTo(target: number): Promise<void> {
  const [span] = await q<{ lo: string; hi: string; days: number }>(
    sql`select min(occurred_at)::text as lo, max(occurred_at)::text as hi, (max(occurred_at)::date - min(occurred_at)::date + 1) as days from audit_events where target_type = 'study' and chain not like 'replica-%'`,
  );
  const days = Number(span!.days);
  let have = await accessEvents();
  const t0 = performance.now();
  for (let copy = 1; have < target; copy++) {
    const done = await q(sql`select 1 from bench_replicas where copy = ${copy}`);
    if (done.length) continue;
    const shift = copy * days;
    for (let d = 0; d <= days + 31; d += 28) {
      await database.db.execute(sql`select mosaic_ensure_audit_partition((${span!.lo}::timestamptz + make_interval(days => ${shift + d}))::date)`);
    }
    await database.db.execute(sql`select mosaic_ensure_audit_partition((${span!.hi}::timestamptz + make_interval(days => ${shift}))::date)`);
    const inserted = await q<{ n: string }>(sql`with copied as (
        insert into audit_events (id, occurred_at, recorded_at, chain, seq, prev_hash, hash, action, outcome, actor_user_id, actor_email, actor_trust_id,
          actor_role, source_trust_id, patient_nhs_number, study_instance_uid, accession_number, modality, purpose, policy_id, policy_version,
          break_glass_justification, ip, workstation, target_type, target_id, details)
        select gen_random_uuid(), occurred_at + make_interval(days => ${shift}), recorded_at + make_interval(days => ${shift}), 'replica-' || ${copy} || '-' || chain, seq, prev_hash, hash,
          action, outcome, actor_user_id, actor_email, actor_trust_id, actor_role, source_trust_id, patient_nhs_number, study_instance_uid || '.' || ${copy},
          accession_number, modality, purpose, policy_id, policy_version, break_glass_justification, ip, workstation, target_type, target_id || '.' || ${copy}, details
        from audit_events where target_type = 'study' and chain not like 'replica-%'
        returning 1)
      select count(*)::text as n from copied`);
    await database.db.execute(sql`insert into bench_replicas (copy, shift_days, rows) values (${copy}, ${shift}, ${Number(inserted[0]!.n)})`);
    have = await accessEvents();
    console.log(`  copy ${copy} (+${shift} days): ${have.toLocaleString("en-GB")} events (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
}

// Secondary indexes off while loading, back on (same definitions) before timing.
async function dropIndexes(): Promise<void> {
  await database.db.execute(sql`create table if not exists bench_dropped_indexes (name text primary key, def text not null)`);
  const defs = await q<{ indexname: string; indexdef: string }>(
    sql`select indexname, indexdef from pg_indexes where tablename = 'audit_events' and indexname <> 'audit_events_pkey'`,
  );
  for (const d of defs) {
    // pg_indexes shows a partitioned table's index as "ON ONLY"; rebuilt without it, it covers every partition.
    await database.db.execute(sql`insert into bench_dropped_indexes (name, def) values (${d.indexname}, ${d.indexdef.replace(" ON ONLY ", " ON ")}) on conflict do nothing`);
    await database.db.execute(sql.raw(`drop index if exists ${d.indexname}`));
  }
}
async function restoreIndexes(): Promise<void> {
  await database.db.execute(sql`create table if not exists bench_dropped_indexes (name text primary key, def text not null)`);
  // An index left invalid (built on the parent only) is dropped and rebuilt.
  const invalid = await q<{ name: string; def: string }>(
    sql`select c.relname as name, pg_get_indexdef(i.indexrelid) as def from pg_index i join pg_class c on c.oid = i.indexrelid where i.indrelid = 'audit_events'::regclass and not i.indisvalid`,
  );
  for (const d of invalid) {
    await database.db.execute(sql`insert into bench_dropped_indexes (name, def) values (${d.name}, ${d.def.replace(" ON ONLY ", " ON ")}) on conflict (name) do update set def = excluded.def`);
    await database.db.execute(sql.raw(`drop index ${d.name}`));
  }
  const defs = await q<{ name: string; def: string }>(sql`select name, def from bench_dropped_indexes order by name`);
  for (const d of defs) {
    const t = performance.now();
    await database.db.execute(sql`set maintenance_work_mem = '256MB'`);
    await database.db.execute(sql.raw(d.def.replace(/^CREATE INDEX /, "CREATE INDEX IF NOT EXISTS ")));
    await database.db.execute(sql`delete from bench_dropped_indexes where name = ${d.name}`);
    console.log(`  index ${d.name} rebuilt in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  await database.db.execute(sql`analyze audit_events`);
}

async function lastDay(): Promise<string | null> {
  const [row] = await q<{ d: string | null }>(sql`select to_char(max(occurred_at) at time zone 'Europe/London', 'YYYY-MM-DD') as d from audit_events where target_type = 'study'`);
  return row?.d ?? null;
}

const londonMidnight = async (day: string) => new Date((await q<{ t: string }>(sql`select ((${day}::date)::timestamp at time zone 'Europe/London')::text as t`))[0]!.t);

async function growTo(target: number): Promise<void> {
  let have = await accessEvents();
  if (have >= target) return;
  if (have >= generateUpTo) {
    console.log(`Extending the history to ${target.toLocaleString("en-GB")} events with time-shifted copies of the generated weeks…`);
    await dropIndexes();
    await replicateTo(target);
    await restoreIndexes();
    return;
  }
  console.log(`Generating access events: ${have.toLocaleString("en-GB")} → ${target.toLocaleString("en-GB")} (scale 1, a week at a time)…`);
  const last = await lastDay();
  let fromDay = last ? new Date(Date.parse(`${last}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10) : start;
  await dropIndexes();
  const t0 = performance.now();
  const before = have;
  while (have < Math.min(target, generateUpTo)) {
    // Days needed at ~55k a day, at most a week per call.
    const days = Math.max(1, Math.min(7, Math.ceil((target - have) / 55_000)));
    const toDay = new Date(Date.parse(`${fromDay}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    await generateAccessHistory(database, {
      from: await londonMidnight(fromDay),
      to: await londonMidnight(toDay),
      scale: 1,
      scanVolume: false,
      onProgress: (p) => process.stdout.write(`\r  ${p.day}: ${(have + p.events).toLocaleString("en-GB")} events   `),
    });
    have = await accessEvents();
    fromDay = toDay;
    const rate = ((have - before) / ((performance.now() - t0) / 1000)).toFixed(0);
    process.stdout.write(`\r  up to ${toDay}: ${have.toLocaleString("en-GB")} events (${rate}/s overall)\n`);
  }
  if (have < target) await replicateTo(target);
  await restoreIndexes();
}

type Stats = { p50: number; p95: number };
function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95) };
}

async function ctxOf(email: string): Promise<Ctx> {
  const [u] = await q<{ id: string; name: string; home_trust_id: string | null }>(sql`select id, name, home_trust_id from users where email = ${email}`);
  if (!u) throw new Error(`no user ${email}`);
  const roles = await q<{ role: string; trust_id: string | null }>(sql`select role, trust_id from role_assignments where user_id = ${u.id} and revoked_at is null`);
  return { userId: u.id, email, name: u.name, homeTrustId: u.home_trust_id, sessionId: null, roles: roles.map((r) => ({ role: r.role, trustId: r.trust_id })), client: { ip: "127.0.0.1", userAgent: "bench" } };
}

async function measure(): Promise<Record<string, Stats>> {
  await restoreIndexes(); // after an interrupted load
  await database.db.execute(sql`vacuum analyze audit_events`);
  const consortium = await ctxOf("ig@consortium.example");
  const rnz = await ctxOf("ig@rnz.example");
  const trusts = await q<{ id: string; ods_code: string }>(sql`select id, ods_code from trusts where ods_code in ('RHM', 'RHU', 'RNZ', 'R1F') order by ods_code`);
  const [range] = await q<{ lo: string; hi: string }>(
    sql`select min(occurred_at)::text as lo, max(occurred_at)::text as hi from audit_events where target_type = 'study' and source_trust_id = ${trusts[0]!.id}`,
  );
  const lo = Date.parse(range!.lo);
  const hi = Date.parse(range!.hi);
  // Samples: events at random instants (through the trust/time index), their patient, user and day.
  const samples: { patient: string; user: string; trust: string; day: string }[] = [];
  for (let i = 0; i < runs; i++) {
    const t = trusts[i % trusts.length]!;
    const at = new Date(lo + Math.random() * (hi - lo)).toISOString();
    const [e] = await q<{ patient_nhs_number: string; actor_email: string }>(
      sql`select patient_nhs_number, actor_email from audit_events where source_trust_id = ${t.id} and occurred_at < ${at}::timestamptz and target_type = 'study' order by occurred_at desc limit 1`,
    );
    if (e) samples.push({ patient: e.patient_nhs_number, user: e.actor_email, trust: t.ods_code, day: at.slice(0, 10) });
  }
  const userIndexed = (await q(sql`select 1 from pg_indexes where tablename = 'audit_events' and indexdef like '%(actor_email%'`)).length > 0;
  const time = async (label: string, ctx: Ctx, filterOf: (i: number) => AuditFilter): Promise<Stats> => {
    // Without an index that leads with actor_email, a user search reads the whole table: a few runs show it.
    const n = label.startsWith("user") && !userIndexed ? Math.min(runs, 3) : runs;
    for (let i = 0; i < (n < runs ? 1 : 3); i++) await withTenant(ctx, (tx) => findAuditEvents(tx, ctx, filterOf(i)));
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const filter = filterOf(i);
      const t = performance.now();
      await withTenant(ctx, (tx) => findAuditEvents(tx, ctx, filter));
      ms.push(performance.now() - t);
    }
    const s = stats(ms);
    console.log(`  ${label.padEnd(46)} p50 ${s.p50.toFixed(1).padStart(8)} ms   p95 ${s.p95.toFixed(1).padStart(8)} ms`);
    return s;
  };
  const pick = (i: number) => samples[i % samples.length]!;
  // The cursor of page 1,000 of a search, by walking it as a person paging would.
  const cursorOfPage = async (ctx: Ctx, filter: AuditFilter, page: number) => {
    let cursor: string | undefined;
    for (let p = 1; p < page; p++) {
      const r = await withTenant(ctx, (tx) => findAuditEvents(tx, ctx, { ...filter, cursor }));
      if (!r.nextCursor) throw new Error(`the result has fewer than ${page} pages`);
      cursor = r.nextCursor;
    }
    return cursor;
  };
  const rhm: AuditFilter = { trust: "RHM" };
  const deep = await cursorOfPage(consortium, rhm, 1_000);
  const deepScoped = await cursorOfPage(rnz, {}, 1_000);
  return {
    patient: await time("patient (consortium IG)", consortium, (i) => ({ patient: pick(i).patient })),
    patientScoped: await time("patient (RNZ IG: source or actor trust)", rnz, (i) => ({ patient: pick(i).patient })),
    user: await time("user (consortium IG)", consortium, (i) => ({ user: pick(i).user })),
    trustDay: await time("trust + one day (consortium IG)", consortium, (i) => ({ trust: pick(i).trust, from: pick(i).day, to: pick(i).day })),
    scopedDay: await time("one day (RNZ IG: source or actor trust)", rnz, (i) => ({ from: pick(i).day, to: pick(i).day })),
    page1: await time("trust RHM, page 1 (consortium IG)", consortium, () => rhm),
    page1000: await time("trust RHM, page 1,000 (consortium IG)", consortium, () => ({ ...rhm, cursor: deep })),
    scopedPage1: await time("everything, page 1 (RNZ IG)", rnz, () => ({})),
    scopedPage1000: await time("everything, page 1,000 (RNZ IG)", rnz, () => ({ cursor: deepScoped })),
  };
}


// BENCH_PAIR=<other database>: the same queries on that (smaller) kept database and on this one,
// alternating query by query in one run, so that the machine's noise falls on both alike.
type Prepared = { database: Database; consortium: Ctx; rnz: Ctx; samples: { patient: string; user: string; trust: string; day: string }[]; deep: string | undefined; deepScoped: string | undefined; events: number };

async function prepare(db: Database): Promise<Prepared> {
  switchTo(db);
  const qq = async <T>(query: ReturnType<typeof sql>) => rowsOf<T>(await db.db.execute(query));
  await db.db.execute(sql`vacuum analyze audit_events`);
  const ctx = async (email: string): Promise<Ctx> => {
    const [u] = await qq<{ id: string; name: string; home_trust_id: string | null }>(sql`select id, name, home_trust_id from users where email = ${email}`);
    if (!u) throw new Error(`no user ${email}`);
    const roles = await qq<{ role: string; trust_id: string | null }>(sql`select role, trust_id from role_assignments where user_id = ${u.id} and revoked_at is null`);
    return { userId: u.id, email, name: u.name, homeTrustId: u.home_trust_id, sessionId: null, roles: roles.map((r) => ({ role: r.role, trustId: r.trust_id })), client: { ip: "127.0.0.1", userAgent: "bench" } };
  };
  const consortium = await ctx("ig@consortium.example");
  const rnz = await ctx("ig@rnz.example");
  const trusts = await qq<{ id: string; ods_code: string }>(sql`select id, ods_code from trusts where ods_code in ('RHM', 'RHU', 'RNZ', 'R1F') order by ods_code`);
  const [range] = await qq<{ lo: string; hi: string }>(sql`select min(occurred_at)::text as lo, max(occurred_at)::text as hi from audit_events where target_type = 'study' and source_trust_id = ${trusts[0]!.id}`);
  const lo = Date.parse(range!.lo);
  const hi = Date.parse(range!.hi);
  const samples: Prepared["samples"] = [];
  for (let i = 0; samples.length < runs && i < runs * 3; i++) {
    const t = trusts[i % trusts.length]!;
    const at = new Date(lo + Math.random() * (hi - lo)).toISOString();
    const [e] = await qq<{ patient_nhs_number: string; actor_email: string }>(
      sql`select patient_nhs_number, actor_email from audit_events where source_trust_id = ${t.id} and occurred_at < ${at}::timestamptz and target_type = 'study' order by occurred_at desc limit 1`,
    );
    if (e) samples.push({ patient: e.patient_nhs_number, user: e.actor_email, trust: t.ods_code, day: at.slice(0, 10) });
  }
  const cursorOf = async (c: Ctx, filter: AuditFilter) => {
    let cursor: string | undefined;
    for (let p = 1; p < 1_000; p++) {
      const r = await withTenant(c, (tx) => findAuditEvents(tx, c, { ...filter, cursor }));
      if (!r.nextCursor) throw new Error("the result has fewer than 1,000 pages");
      cursor = r.nextCursor;
    }
    return cursor;
  };
  const [events] = await qq<{ n: string }>(sql`select count(*)::text as n from audit_events where target_type = 'study'`);
  return { database: db, consortium, rnz, samples, deep: await cursorOf(consortium, { trust: "RHM" }), deepScoped: await cursorOf(rnz, {}), events: Number(events!.n) };
}

// Not a React hook (the name only looks like one): points lib/ at this database.
const pointLibAt = useDatabase;
function switchTo(db: Database) {
  pointLibAt(db);
}

async function measurePair(small: Prepared, large: Prepared): Promise<void> {
  const queries: [string, "consortium" | "rnz", (p: Prepared, i: number) => AuditFilter][] = [
    ["patient (consortium IG)", "consortium", (p, i) => ({ patient: p.samples[i % p.samples.length]!.patient })],
    ["patient (RNZ IG: source or actor trust)", "rnz", (p, i) => ({ patient: p.samples[i % p.samples.length]!.patient })],
    ["user (consortium IG)", "consortium", (p, i) => ({ user: p.samples[i % p.samples.length]!.user })],
    ["trust + one day (consortium IG)", "consortium", (p, i) => ({ trust: p.samples[i % p.samples.length]!.trust, from: p.samples[i % p.samples.length]!.day, to: p.samples[i % p.samples.length]!.day })],
    ["one day (RNZ IG: source or actor trust)", "rnz", (p, i) => ({ from: p.samples[i % p.samples.length]!.day, to: p.samples[i % p.samples.length]!.day })],
    ["trust RHM, page 1 (consortium IG)", "consortium", () => ({ trust: "RHM" })],
    ["trust RHM, page 1,000 (consortium IG)", "consortium", (p) => ({ trust: "RHM", cursor: p.deep })],
    ["everything, page 1 (RNZ IG)", "rnz", () => ({})],
    ["everything, page 1,000 (RNZ IG)", "rnz", (p) => ({ cursor: p.deepScoped })],
  ];
  const once = async (p: Prepared, who: "consortium" | "rnz", filter: AuditFilter) => {
    switchTo(p.database);
    const c = p[who];
    const t = performance.now();
    await withTenant(c, (tx) => findAuditEvents(tx, c, filter));
    return performance.now() - t;
  };
  console.log(`\nSame run, alternating: ${small.events.toLocaleString("en-GB")} events vs ${large.events.toLocaleString("en-GB")} events (${runs} runs each)`);
  console.log(`  ${"query".padEnd(42)} ${"small p50".padStart(10)} ${"p95".padStart(8)} ${"large p50".padStart(10)} ${"p95".padStart(8)}   ratio p50   p95`);
  const results: Record<string, { s: Stats; l: Stats }> = {};
  for (const [label, who, filterOf] of queries) {
    for (let i = 0; i < (label.startsWith("user") ? 1 : 3); i++) {
      await once(small, who, filterOf(small, i));
      await once(large, who, filterOf(large, i));
    }
    const s: number[] = [];
    const l: number[] = [];
    // Without an index that leads with actor_email, a user search reads the whole table: a few runs show it.
    const isUser = label.startsWith("user");
    const userIndexed = isUser && (await large.database.db.execute(sql`select 1 from pg_indexes where tablename = 'audit_events' and indexdef like '%(actor_email%'`).then((r) => rowsOf(r).length > 0));
    const n = isUser && !userIndexed ? Math.min(runs, 3) : runs;
    if (isUser && !userIndexed) console.log(`  (no index leads with actor_email: the user search scans every partition; ${n} runs)`);
    for (let i = 0; i < n; i++) {
      s.push(await once(small, who, filterOf(small, i)));
      l.push(await once(large, who, filterOf(large, i)));
    }
    const ss = stats(s);
    const ls = stats(l);
    results[label] = { s: ss, l: ls };
    const r50 = ls.p50 / ss.p50;
    console.log(
      `  ${label.padEnd(42)} ${ss.p50.toFixed(1).padStart(10)} ${ss.p95.toFixed(1).padStart(8)} ${ls.p50.toFixed(1).padStart(10)} ${ls.p95.toFixed(1).padStart(8)}   ×${r50.toFixed(2).padEnd(6)} ×${(ls.p95 / ss.p95).toFixed(2).padEnd(6)} ${r50 <= 1.5 ? "ok" : "MISSED"}`,
    );
  }
  for (const [size, key] of [["small", "s"], ["large", "l"]] as const) {
    for (const [deep, first] of [["trust RHM, page 1,000 (consortium IG)", "trust RHM, page 1 (consortium IG)"], ["everything, page 1,000 (RNZ IG)", "everything, page 1 (RNZ IG)"]] as const) {
      const r = results[deep]![key].p50 / results[first]![key].p50;
      console.log(`  page 1,000 / page 1 (${size}) ${first.replace(", page 1", "").padEnd(32)} p50 ×${r.toFixed(2)} p95 ×${(results[deep]![key].p95 / results[first]![key].p95).toFixed(2)} ${r <= 1.5 ? "ok" : "MISSED"}`);
    }
  }
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
function printRatios(label: string, num: Record<string, Stats>, den: Record<string, Stats>, keys: [string, string][], target: number) {
  console.log(`\n${label} (target ≤ ${target}):`);
  for (const [n, d] of keys) {
    const r50 = ratio(num[n]!.p50, den[d]!.p50);
    const r95 = ratio(num[n]!.p95, den[d]!.p95);
    console.log(`  ${(n === d ? n : `${n} / ${d}`).padEnd(36)} p50 ×${r50.toFixed(2)}   p95 ×${r95.toFixed(2)}   ${r50 <= target ? "ok" : "MISSED"}`);
  }
}

try {
  await runMigrations(database);
  await seedDemo(database);
  if (process.env.BENCH_PAIR) {
    await restoreIndexes();
    const otherUrl = new URL(serverUrl);
    otherUrl.pathname = `/${process.env.BENCH_PAIR}`;
    const other = openDatabase({ url: otherUrl.toString() });
    try {
      const small = await prepare(other);
      const large = await prepare(database);
      await measurePair(small, large);
    } finally {
      await other.close();
    }
    process.exit(0);
  }
  const saved: Record<string, Record<string, Stats>> = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, "utf8")) : {};
  let smallResult = saved.small;
  if (!smallResult) {
    await growTo(small);
    console.log(`\nAt ${(await accessEvents()).toLocaleString("en-GB")} access events:`);
    smallResult = await measure();
    if (keep) {
      fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
      fs.writeFileSync(resultsFile, JSON.stringify({ small: smallResult }, null, 2));
    }
  } else {
    console.log(`Measurements at ${small.toLocaleString("en-GB")} events from the kept run (${path.relative(process.cwd(), resultsFile)}).`);
  }
  await growTo(large);
  console.log(`\nAt ${(await accessEvents()).toLocaleString("en-GB")} access events:`);
  const largeResult = await measure();
  const keys = Object.keys(largeResult).map((k) => [k, k] as [string, string]);
  printRatios("10M / 1M", largeResult, smallResult, keys, 1.5);
  printRatios("page 1,000 / page 1 at 1M", smallResult, smallResult, [["page1000", "page1"], ["scopedPage1000", "scopedPage1"]], 1.5);
  printRatios("page 1,000 / page 1 at 10M", largeResult, largeResult, [["page1000", "page1"], ["scopedPage1000", "scopedPage1"]], 1.5);
} finally {
  await database.close();
  if (!keep) await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
}
