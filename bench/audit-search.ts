// Audit search latency on the PostgreSQL server at about 1M and about 10M access events, in one run:
// the search page's queries (lib/audit/search.ts findAuditEvents, as a consortium IG officer and as
// a trust's IG officer) by patient, by study (UID, accession), by user, by trust + a day, and page 1 against page 1,000 of a
// keyset-paged result, alternating between the two databases query by query so that the machine's
// noise falls on both alike. Prints p50 and p95 and the ratios DESIGN.md sets targets for:
// 10M ≤ 1.5 × 1M, and page 1,000 ≤ 1.5 × page 1 (in each database).
//
// The 1M database: the demo consortium and its access history from the generator
// (demo/access-history.ts) at scale 1 from BENCH_START (default 2026-03-01), a week at a time,
// until BENCH_SMALL events — about 2.5 weeks of the consortium at full scale. The 10M database: a
// copy of the 1M one (CREATE DATABASE … TEMPLATE) extended to BENCH_LARGE with time-shifted copies
// of the generated weeks (new ids, the same patients, staff and rhythm), so about 6 months: a
// patient's or a user's history is ten times longer and spans six monthly partitions, as it would.
// The secondary indexes of audit_events are dropped while loading and rebuilt from their own
// definitions before timing (the searches run on exactly the migrations' indexes).
//
//   npm run bench:audit-search
//   BENCH_KEEP=1 npm run bench:audit-search   # keep both databases (mosaic_bench_search_1m, _10m) and reuse them next time
//   BENCH_DATABASE_URL=postgres://… BENCH_SMALL=1000000 BENCH_LARGE=10000000 BENCH_RUNS=40
//   BENCH_ONLY=patient,user                   # only the queries whose label contains one of these
//
// Each database is searched as at the end of its history ("now" = its newest event), so a search
// without a patient, user or From date reads that history's last 30 days, as it would in use.
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase, rowsOf, useDatabase as pointLibAt, type Database } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { eventsPerDayAtScale1, generateAccessHistory } from "@/demo/access-history";
import { restoreAuditIndexes, setAsideAuditIndexes } from "@/demo/audit-indexes";
import { seedDemo } from "@/demo/seed-demo";
import { findAuditEvents } from "@/lib/audit/search";
import type { AuditFilter } from "@/lib/audit/search-filter";
import type { Ctx } from "@/lib/auth/context";
import { withTenant } from "@/lib/db/scope";

const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const keep = process.env.BENCH_KEEP === "1";
const smallTarget = Number(process.env.BENCH_SMALL ?? 1_000_000);
const largeTarget = Number(process.env.BENCH_LARGE ?? 10_000_000);
const runs = Number(process.env.BENCH_RUNS ?? 40);
// BENCH_ONLY=patient,user: only the queries whose label contains one of these words.
const only = process.env.BENCH_ONLY?.split(",").filter(Boolean);
const start = process.env.BENCH_START ?? "2026-03-01";
const suffix = keep ? "" : `_${Date.now().toString(36)}`;
const names = { small: `mosaic_bench_search_1m${suffix}`, large: `mosaic_bench_search_10m${suffix}` };

const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
const urlOf = (name: string) => {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
};
const databaseExists = async (name: string) => (await admin`select 1 from pg_database where datname = ${name}`).length > 0;
const opened: Database[] = [];
function open(name: string): Database {
  const database = openDatabase({ url: urlOf(name) });
  opened.push(database);
  return database;
}
async function close(database: Database): Promise<void> {
  opened.splice(opened.indexOf(database), 1);
  await database.close();
}
const q = async <T>(database: Database, query: ReturnType<typeof sql>) => rowsOf<T>(await database.db.execute(query));
const seconds = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

// ---------------------------------------------------------------------------------------------
// Building the two databases

async function accessEvents(database: Database): Promise<number> {
  await database.db.execute(sql`create table if not exists bench_replicas (copy integer primary key, shift_days integer not null, rows bigint not null)`);
  const [row] = await q<{ n: string | number | null }>(
    database,
    sql`select (select coalesce(sum(seq), 0) from audit_chain_heads h join trusts t on t.id::text = h.chain) + (select coalesce(sum(rows), 0) from bench_replicas) as n`,
  );
  return Number(row?.n ?? 0);
}

// Secondary indexes off while loading, back on (same definitions) before timing, as a large seed does.
async function restoreIndexes(database: Database): Promise<void> {
  const t = performance.now();
  const n = await restoreAuditIndexes(database, (done, total) => process.stdout.write(`\r  rebuilding indexes: ${done}/${total}   `));
  if (n) process.stdout.write(`\r  ${n} indexes rebuilt in ${seconds(t)}\n`);
}

const londonMidnight = async (database: Database, day: string) =>
  new Date((await q<{ t: string }>(database, sql`select ((${day}::date)::timestamp at time zone 'Europe/London')::text as t`))[0]!.t);

/** The 1M database: generated history, a week at a time, from BENCH_START. */
async function generateTo(database: Database, target: number): Promise<void> {
  let have = await accessEvents(database);
  if (have >= target) return;
  console.log(`Generating access events: ${have.toLocaleString("en-GB")} → ${target.toLocaleString("en-GB")} (scale 1, a week at a time)…`);
  const [last] = await q<{ d: string | null }>(database, sql`select to_char(max(occurred_at) at time zone 'Europe/London', 'YYYY-MM-DD') as d from audit_events where target_type = 'study'`);
  let fromDay = last?.d ? new Date(Date.parse(`${last.d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10) : start;
  await setAsideAuditIndexes(database);
  const t0 = performance.now();
  const before = have;
  while (have < target) {
    // Days needed, at most a week per call.
    const days = Math.max(1, Math.min(7, Math.ceil((target - have) / eventsPerDayAtScale1)));
    const toDay = new Date(Date.parse(`${fromDay}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    await generateAccessHistory(database, {
      from: await londonMidnight(database, fromDay),
      to: await londonMidnight(database, toDay),
      scale: 1,
      scanVolume: false,
      onProgress: (p) => process.stdout.write(`\r  ${p.day}: ${(have + p.events).toLocaleString("en-GB")} events   `),
    });
    have = await accessEvents(database);
    fromDay = toDay;
    process.stdout.write(`\r  up to ${toDay}: ${have.toLocaleString("en-GB")} events (${((have - before) / ((performance.now() - t0) / 1000)).toFixed(0)}/s overall)\n`);
  }
  await restoreIndexes(database);
}

// Copies of the generated weeks shifted later in time: new ids, the same patients, staff and
// rhythm, as a longer history of the same consortium would be. Copies sit on chains of their own
// ("replica-…"), so the trusts' real chains still verify.
async function replicateTo(database: Database, target: number): Promise<void> {
  let have = await accessEvents(database);
  if (have >= target) return;
  console.log(`Extending the history to ${target.toLocaleString("en-GB")} events with time-shifted copies of the generated weeks…`);
  await setAsideAuditIndexes(database);
  const [span] = await q<{ lo: string; hi: string; days: number }>(
    database,
    sql`select min(occurred_at)::text as lo, max(occurred_at)::text as hi, (max(occurred_at)::date - min(occurred_at)::date + 1) as days from audit_events where target_type = 'study' and chain not like 'replica-%'`,
  );
  const days = Number(span!.days);
  const t0 = performance.now();
  for (let copy = 1; have < target; copy++) {
    if ((await q(database, sql`select 1 from bench_replicas where copy = ${copy}`)).length) continue;
    const shift = copy * days;
    for (let d = 0; d <= days + 31; d += 28) {
      await database.db.execute(sql`select mosaic_ensure_audit_partition((${span!.lo}::timestamptz + make_interval(days => ${shift + d}))::date)`);
    }
    await database.db.execute(sql`select mosaic_ensure_audit_partition((${span!.hi}::timestamptz + make_interval(days => ${shift}))::date)`);
    const [inserted] = await q<{ n: string }>(
      database,
      sql`with copied as (
        insert into audit_events (id, occurred_at, recorded_at, chain, seq, prev_hash, hash, action, outcome, actor_user_id, actor_email, actor_trust_id,
          actor_role, source_trust_id, patient_nhs_number, study_instance_uid, accession_number, modality, purpose, policy_id, policy_version,
          break_glass_justification, ip, workstation, target_type, target_id, details)
        select gen_random_uuid(), occurred_at + make_interval(days => ${shift}), recorded_at + make_interval(days => ${shift}), 'replica-' || ${copy} || '-' || chain, seq, prev_hash, hash,
          action, outcome, actor_user_id, actor_email, actor_trust_id, actor_role, source_trust_id, patient_nhs_number, study_instance_uid || '.' || ${copy},
          accession_number, modality, purpose, policy_id, policy_version, break_glass_justification, ip, workstation, target_type, target_id || '.' || ${copy}, details
        from audit_events where target_type = 'study' and chain not like 'replica-%'
        returning 1)
      select count(*)::text as n from copied`,
    );
    await database.db.execute(sql`insert into bench_replicas (copy, shift_days, rows) values (${copy}, ${shift}, ${Number(inserted!.n)})`);
    have = await accessEvents(database);
    console.log(`  copy ${copy} (+${shift} days): ${have.toLocaleString("en-GB")} events (${seconds(t0)})`);
  }
  await restoreIndexes(database);
}

/** Both databases, made or (BENCH_KEEP) reused, on the migrations of this checkout. */
async function build(): Promise<{ small: Database; large: Database }> {
  if (!(await databaseExists(names.small))) await admin.unsafe(`create database ${names.small}`);
  let small = open(names.small);
  // A kept database gets this checkout's new migrations, and any index an interrupted load left out.
  await runMigrations(small);
  await restoreIndexes(small);
  await seedDemo(small);
  await generateTo(small, smallTarget);
  if (!(await databaseExists(names.large))) {
    // A template may have no other sessions: the small database is closed while it is copied.
    await close(small);
    const t = performance.now();
    await admin.unsafe(`create database ${names.large} template ${names.small}`);
    console.log(`Copied ${names.small} to ${names.large} in ${seconds(t)}.`);
    small = open(names.small);
  }
  const large = open(names.large);
  await runMigrations(large);
  await restoreIndexes(large);
  await replicateTo(large, largeTarget);
  for (const database of [small, large]) await database.db.execute(sql`vacuum analyze audit_events`);
  return { small, large };
}

// ---------------------------------------------------------------------------------------------
// Measuring

type Stats = { p50: number; p95: number };
function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95) };
}

type Who = "consortium" | "rnz";
// `now`: the end of the database's history, so that a search's default window (the last 30 days)
// is the last 30 days of this history, as it would be for someone searching as it is written.
type Prepared = { database: Database; now: Date; consortium: Ctx; rnz: Ctx; days: string[]; deep: string | undefined; deepAll: string | undefined; deepScoped: string | undefined; events: number; months: number };
type Sample = { patient: string; user: string; trust: string; staff: string; otherStaff: string; study: string; accession: string | null };

function switchTo(database: Database) {
  pointLibAt(database);
}

async function ctxOf(database: Database, email: string): Promise<Ctx> {
  const [u] = await q<{ id: string; name: string; home_trust_id: string | null }>(database, sql`select id, name, home_trust_id from users where email = ${email}`);
  if (!u) throw new Error(`no user ${email}`);
  const roles = await q<{ role: string; trust_id: string | null }>(database, sql`select role, trust_id from role_assignments where user_id = ${u.id} and revoked_at is null`);
  return { userId: u.id, email, name: u.name, homeTrustId: u.home_trust_id, sessionId: null, roles: roles.map((r) => ({ role: r.role, trustId: r.trust_id })), client: { ip: "127.0.0.1", userAgent: "bench" } };
}

/** Events at random instants of the 1M history (through the trust/time index): their patient, user and trust. */
async function sampleEvents(database: Database): Promise<Sample[]> {
  const trusts = await q<{ id: string; ods_code: string }>(database, sql`select id, ods_code from trusts where ods_code in ('RHM', 'RHU', 'RNZ', 'R1F') order by ods_code`);
  const [range] = await q<{ lo: string; hi: string }>(database, sql`select min(occurred_at)::text as lo, max(occurred_at)::text as hi from audit_events where target_type = 'study'`);
  const lo = Date.parse(range!.lo);
  const hi = Date.parse(range!.hi);
  const rnz = trusts.find((t) => t.ods_code === "RNZ")!.id;
  const samples: Sample[] = [];
  for (let i = 0; samples.length < runs && i < runs * 3; i++) {
    const t = trusts[i % trusts.length]!;
    const at = new Date(lo + Math.random() * (hi - lo)).toISOString();
    const [e] = await q<{ patient_nhs_number: string; actor_email: string; study_instance_uid: string; accession_number: string | null }>(
      database,
      sql`select patient_nhs_number, actor_email, study_instance_uid, accession_number from audit_events where source_trust_id = ${t.id} and occurred_at < ${at}::timestamptz and target_type = 'study' order by occurred_at desc limit 1`,
    );
    // And a member of RNZ's staff, and of another trust's, at about that time (for RNZ's officer).
    const staffOf = async (own: boolean) => {
      const [s] = await q<{ actor_email: string }>(
        database,
        sql`select actor_email from audit_events where occurred_at < ${at}::timestamptz and target_type = 'study'
          and (actor_trust_id = ${rnz}) = ${own} order by occurred_at desc limit 1`,
      );
      return s?.actor_email;
    };
    const [staff, otherStaff] = [await staffOf(true), await staffOf(false)];
    if (e && staff && otherStaff) samples.push({ patient: e.patient_nhs_number, user: e.actor_email, trust: t.ods_code, staff, otherStaff, study: e.study_instance_uid, accession: e.accession_number });
  }
  return samples;
}

async function prepare(database: Database): Promise<Prepared> {
  switchTo(database);
  const [range] = await q<{ lo: string; hi: string; months: number; n: string }>(
    database,
    sql`select min(occurred_at)::text as lo, max(occurred_at)::text as hi, count(*)::text as n,
      (select count(*)::int from pg_inherits where inhparent = 'audit_events'::regclass) as months
      from audit_events where target_type = 'study'`,
  );
  const lo = Date.parse(range!.lo) + 86_400_000;
  const hi = Date.parse(range!.hi) - 86_400_000;
  const now = new Date(Date.parse(range!.hi) + 60_000);
  const days = Array.from({ length: runs }, () => new Date(lo + Math.random() * (hi - lo)).toISOString().slice(0, 10));
  const consortium = await ctxOf(database, "ig@consortium.example");
  const rnz = await ctxOf(database, "ig@rnz.example");
  // The cursor of page 1,000 of a search, by walking it as a person paging would.
  const cursorOf = async (c: Ctx, filter: AuditFilter) => {
    let cursor: string | undefined;
    for (let p = 1; p < 1_000; p++) {
      const r = await withTenant(c, (tx) => findAuditEvents(tx, c, { ...filter, cursor }, undefined, now));
      if (!r.nextCursor) throw new Error("the result has fewer than 1,000 pages");
      cursor = r.nextCursor;
    }
    return cursor;
  };
  const deep = selected.some((x) => x.label.includes("page 1,000"));
  return {
    database,
    now,
    consortium,
    rnz,
    days,
    deep: deep ? await cursorOf(consortium, { trust: "RHM" }) : undefined,
    deepAll: deep ? await cursorOf(consortium, {}) : undefined,
    deepScoped: deep ? await cursorOf(rnz, {}) : undefined,
    events: Number(range!.n),
    months: Number(range!.months),
  };
}

type Query = { label: string; who: Who; filterOf: (p: Prepared, s: Sample, i: number) => AuditFilter; limit?: number };
const queries: Query[] = [
  { label: "patient (consortium IG)", who: "consortium", filterOf: (_p, s) => ({ patient: s.patient }) },
  { label: "patient (RNZ IG: source or actor trust)", who: "rnz", filterOf: (_p, s) => ({ patient: s.patient }) },
  // As a FHIR client asking for 10 a page (_count=10): a patient's first page holds as many events at
  // 1M as at 10M, so this shows what a longer history alone costs (above, the 10M page is fuller).
  { label: "patient, 10 a page (consortium IG)", who: "consortium", filterOf: (_p, s) => ({ patient: s.patient }), limit: 10 },
  // A study's events lie in the study's index (0021_audit_study_search.sql), read as a patient's are.
  { label: "study UID (consortium IG)", who: "consortium", filterOf: (_p, s) => ({ study: s.study }) },
  { label: "study UID (RNZ IG: source or actor trust)", who: "rnz", filterOf: (_p, s) => ({ study: s.study }) },
  { label: "accession (consortium IG)", who: "consortium", filterOf: (_p, s) => ({ accession: s.accession ?? "none" }) },
  { label: "accession (RNZ IG: source or actor trust)", who: "rnz", filterOf: (_p, s) => ({ accession: s.accession ?? "none" }) },
  { label: "user (consortium IG)", who: "consortium", filterOf: (_p, s) => ({ user: s.user }) },
  { label: "user, RNZ staff (RNZ IG)", who: "rnz", filterOf: (_p, s) => ({ user: s.staff }) },
  { label: "user, other trust's staff (RNZ IG)", who: "rnz", filterOf: (_p, s) => ({ user: s.otherStaff }) },
  // The few events of another trust's member of staff on RNZ's images lie across their whole history:
  // at 10M the page holds several times the rows of 1M, each from a different month. At 5 a page both
  // hold about as many, so this shows what the longer history alone costs.
  { label: "user, other trust's staff, 5 a page (RNZ IG)", who: "rnz", filterOf: (_p, s) => ({ user: s.otherStaff }), limit: 5 },
  { label: "break-glass only (consortium IG)", who: "consortium", filterOf: () => ({ breakGlass: "yes" }) },
  { label: "break-glass only (RNZ IG)", who: "rnz", filterOf: () => ({ breakGlass: "yes" }) },
  { label: "trust + one day (consortium IG)", who: "consortium", filterOf: (p, s, i) => ({ trust: s.trust, from: p.days[i % p.days.length], to: p.days[i % p.days.length] }) },
  { label: "one day (RNZ IG: source or actor trust)", who: "rnz", filterOf: (p, _s, i) => ({ from: p.days[i % p.days.length], to: p.days[i % p.days.length] }) },
  { label: "trust RHM, page 1 (consortium IG)", who: "consortium", filterOf: () => ({ trust: "RHM" }) },
  { label: "trust RHM, page 1,000 (consortium IG)", who: "consortium", filterOf: (p) => ({ trust: "RHM", cursor: p.deep }) },
  { label: "everything, page 1 (consortium IG)", who: "consortium", filterOf: () => ({}) },
  { label: "everything, page 1,000 (consortium IG)", who: "consortium", filterOf: (p) => ({ cursor: p.deepAll }) },
  { label: "everything, page 1 (RNZ IG)", who: "rnz", filterOf: () => ({}) },
  { label: "everything, page 1,000 (RNZ IG)", who: "rnz", filterOf: (p) => ({ cursor: p.deepScoped }) },
];
const selected = only ? queries.filter((x) => only.some((w) => x.label.includes(w))) : queries;
const deepPairs: [string, string][] = [
  ["trust RHM, page 1,000 (consortium IG)", "trust RHM, page 1 (consortium IG)"],
  ["everything, page 1,000 (consortium IG)", "everything, page 1 (consortium IG)"],
  ["everything, page 1,000 (RNZ IG)", "everything, page 1 (RNZ IG)"],
];

async function once(p: Prepared, who: Who, filter: AuditFilter, limit?: number): Promise<{ ms: number; rows: number }> {
  switchTo(p.database);
  const c = p[who];
  const t = performance.now();
  const r = await withTenant(c, (tx) => findAuditEvents(tx, c, filter, limit, p.now));
  return { ms: performance.now() - t, rows: r.rows.length };
}

/** Every query on both databases, alternating run by run; returns whether every target was met. */
async function measure(small: Prepared, large: Prepared, samples: Sample[]): Promise<boolean> {
  const fmt = (n: number) => n.toFixed(1).padStart(8);
  console.log(
    `\nSame run, alternating: ${small.events.toLocaleString("en-GB")} events (${small.months} monthly partitions) vs ${large.events.toLocaleString("en-GB")} (${large.months}), ${runs} runs each, times in ms`,
  );
  console.log(`  ${"query".padEnd(46)} ${"1M p50".padStart(8)} ${"p95".padStart(8)} ${"10M p50".padStart(8)} ${"p95".padStart(8)}  rows 1M/10M  10M/1M p50    p95`);
  const results: Record<string, { s: Stats; l: Stats }> = {};
  let met = true;
  // Page 1 and page 1,000 of one search are measured in the same loop, turn about, like the two
  // databases: their ratio is a target too, and must not depend on when each was measured.
  const groups: Query[][] = [];
  for (const query of selected) {
    const pair = deepPairs.find(([deep]) => deep === query.label);
    const first = pair && groups.find((g) => g.length === 1 && g[0]!.label === pair[1]);
    if (first) first.push(query);
    else groups.push([query]);
  }
  for (const group of groups) {
    const times = group.map(() => ({ s: [] as number[], l: [] as number[], rowsS: 0, rowsL: 0 }));
    for (let i = -3; i < runs; i++) {
      const sample = samples[(i + samples.length) % samples.length]!;
      for (const [k, { who, filterOf, limit }] of group.entries()) {
        // Which database goes first alternates too.
        const [a, b] = i % 2 ? [large, small] : [small, large];
        const ra = await once(a, who, filterOf(a, sample, i + 3), limit);
        const rb = await once(b, who, filterOf(b, sample, i + 3), limit);
        if (i < 0) continue; // warm-up
        const [rs, rl] = a === small ? [ra, rb] : [rb, ra];
        const t = times[k]!;
        t.s.push(rs.ms);
        t.l.push(rl.ms);
        t.rowsS += rs.rows;
        t.rowsL += rl.rows;
      }
    }
    for (const [k, { label }] of group.entries()) {
      const t = times[k]!;
      const ss = stats(t.s);
      const ls = stats(t.l);
      results[label] = { s: ss, l: ls };
      const r50 = ls.p50 / ss.p50;
      met &&= r50 <= 1.5;
      const rows = `${(t.rowsS / runs).toFixed(0)}/${(t.rowsL / runs).toFixed(0)}`;
      console.log(
        `  ${label.padEnd(46)} ${fmt(ss.p50)} ${fmt(ss.p95)} ${fmt(ls.p50)} ${fmt(ls.p95)}  ${rows.padStart(11)}  ×${r50.toFixed(2).padEnd(6)}  ×${(ls.p95 / ss.p95).toFixed(2).padEnd(6)} ${r50 <= 1.5 ? "ok" : "MISSED"}`,
      );
    }
  }
  console.log("\n  page 1,000 / page 1 (target ≤ 1.5)                       p50      p95");
  for (const [size, key] of [["1M", "s"], ["10M", "l"]] as const) {
    for (const [deep, first] of deepPairs) {
      if (!results[deep] || !results[first]) continue;
      const r50 = results[deep]![key].p50 / results[first]![key].p50;
      const r95 = results[deep]![key].p95 / results[first]![key].p95;
      met &&= r50 <= 1.5;
      console.log(`  ${`${size}: ${first.replace(", page 1", "")}`.padEnd(52)} ×${r50.toFixed(2).padEnd(6)}  ×${r95.toFixed(2).padEnd(6)} ${r50 <= 1.5 ? "ok" : "MISSED"}`);
    }
  }
  console.log(met ? "\nEvery target met (p50)." : "\nSome targets MISSED (p50).");
  return met;
}

try {
  const t0 = performance.now();
  const { small, large } = await build();
  console.log(`Databases ready in ${seconds(t0)}: ${names.small}, ${names.large}.`);
  const samples = await sampleEvents(small);
  const [ps, pl] = [await prepare(small), await prepare(large)];
  if (!(await measure(ps, pl, samples))) process.exitCode = 1;
} finally {
  for (const database of [...opened]) await close(database);
  if (!keep) for (const name of [names.large, names.small]) await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}
