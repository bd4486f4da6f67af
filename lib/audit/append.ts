import "server-only";
// Appending chained events to the audit trail in bulk: the machine ingest and the demo history both
// come through here. The rows are streamed with COPY into the monthly partition that holds them
// (db/migrations/0014_audit_partition_copy.sql says why a partition and not the parent).
import { sql } from "drizzle-orm";
import { copyConnectionOf, copyInto, copyValue } from "@/db/copy";
import { getDatabase, rowsOf, type Database } from "@/db/client";
import { pgArray } from "@/lib/db/arrays";
import { withSystem, type Tx } from "@/lib/db/scope";
import type { ChainedFields } from "./canonical";
import { chainHash } from "./chain";

/** An event with its place in its chain: what audit_events stores. */
export type ChainedRow = ChainedFields & { prevHash: string; hash: string };

export type ChainHead = { seq: number; hash: string };

// The columns, in one place, so that the COPY's column list and its lines agree.
const columns: [keyof ChainedRow, string, string][] = [
  ["id", "id", "uuid"],
  ["occurredAt", "occurred_at", "timestamptz"],
  ["recordedAt", "recorded_at", "timestamptz"],
  ["chain", "chain", "text"],
  ["seq", "seq", "bigint"],
  ["prevHash", "prev_hash", "text"],
  ["hash", "hash", "text"],
  ["action", "action", "text"],
  ["outcome", "outcome", "text"],
  ["actorUserId", "actor_user_id", "uuid"],
  ["actorEmail", "actor_email", "text"],
  ["actorTrustId", "actor_trust_id", "uuid"],
  ["actorRole", "actor_role", "text"],
  ["sourceTrustId", "source_trust_id", "uuid"],
  ["patientNhsNumber", "patient_nhs_number", "text"],
  ["studyInstanceUid", "study_instance_uid", "text"],
  ["accessionNumber", "accession_number", "text"],
  ["modality", "modality", "text"],
  ["purpose", "purpose", "text"],
  ["policyId", "policy_id", "uuid"],
  ["policyVersion", "policy_version", "integer"],
  ["breakGlassJustification", "break_glass_justification", "text"],
  ["ip", "ip", "text"],
  ["workstation", "workstation", "text"],
  ["targetType", "target_type", "text"],
  ["targetId", "target_id", "text"],
  ["details", "details", "jsonb"],
];
const columnNames = columns.map(([, c]) => c);

/** A monthly partition of audit_events: its table and the times it holds, [starts, ends) in ms. */
type Partition = { name: string; starts: number; ends: number };

// The partitions this process knows to be committed, per database. A partition, once committed,
// stays: the trail refuses TRUNCATE, and nothing drops or detaches one. So a writer that knows its
// rows' partitions skips, inside its locked section, the two look-ups that would find them again.
const committedPartitions = new WeakMap<Database, Partition[]>();

/**
 * The partitions that hold these times, each committed: from this process's memory, or (for a month
 * not seen yet) made if needed and read in a transaction of their own, outside any caller's. Pass
 * them to appendAuditEvents. Only what committed is remembered: a partition made inside a caller's
 * transaction would vanish if it rolled back.
 */
export async function committedPartitionsFor(times: Date[]): Promise<Partition[]> {
  const database = getDatabase();
  const known = committedPartitions.get(database) ?? [];
  const holds = (t: number) => known.some((p) => t >= p.starts && t < p.ends);
  const missing = times.filter((t) => !holds(t.getTime()));
  if (missing.length === 0) return known;
  const found = await withSystem(async (tx) => {
    await ensurePartitions(tx, missing);
    const ms = missing.map((t) => t.getTime());
    return readPartitions(tx, new Date(Math.min(...ms)), new Date(Math.max(...ms)));
  });
  const merged = [...known, ...found.filter((p) => !known.some((k) => k.name === p.name))];
  committedPartitions.set(database, merged);
  return merged;
}

/** Makes sure a monthly partition exists for every (UTC) month these times fall in. */
export async function ensurePartitions(tx: Tx, times: Date[]): Promise<void> {
  const months = new Set(times.map((t) => t.getUTCFullYear() * 12 + t.getUTCMonth()));
  for (const m of months) {
    const first = `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, "0")}-01`;
    await tx.execute(sql`select mosaic_ensure_audit_partition(${first}::date)`);
  }
}

/**
 * Locks the heads of these chains (in a fixed order, so concurrent batches never deadlock) and
 * returns where each stands. Held to the end of the transaction: sequence numbers follow commit order.
 * Through a definer function (db/migrations/0017_audit_chain_isolation.sql): the application role
 * may only read heads, and only of chains in its scope; a chain outside it is refused.
 */
export async function lockChainHeads(tx: Tx, chains: string[]): Promise<Map<string, ChainHead>> {
  const sorted = [...new Set(chains)].sort();
  const heads = rowsOf<{ chain: string; seq: string | number; hash: string }>(
    await tx.execute(sql`select chain, seq, hash from mosaic_lock_chain_heads(${pgArray(sorted)}::text[])`),
  );
  return new Map(heads.map((h) => [h.chain, { seq: Number(h.seq), hash: h.hash }]));
}

/**
 * Moves the chain heads to their new last events, through the definer function that refuses a
 * chain outside the caller's scope, a head moving backwards, and a head naming no stored event.
 */
export async function saveChainHeads(tx: Tx, heads: Map<string, ChainHead>): Promise<void> {
  if (heads.size === 0) return;
  const entries = [...heads];
  await tx.execute(sql`select mosaic_advance_chain_heads(${pgArray(entries.map(([chain]) => chain))}::text[],
    ${pgArray(entries.map(([, h]) => h.seq))}::bigint[], ${pgArray(entries.map(([, h]) => h.hash))}::text[])`);
}

/**
 * Chains rows onto their chains and appends them to audit_events, in the caller's transaction
 * (partitions made as needed, unless `committed`, from committedPartitionsFor, holds every row): it
 * fills in each row's seq, prevHash and hash (whatever they held). The caller holds the locks of these chains' heads (lockChainHeads) and passes them in; the new
 * heads come back, for saveChainHeads. Rows join their chain in time order (ties in the order
 * given), so each month's rows are one run, chained as they are sent.
 */
export async function appendAuditEvents(tx: Tx, rows: ChainedRow[], heads: Map<string, ChainHead>, committed: Partition[] = []): Promise<Map<string, ChainHead>> {
  const next = new Map(heads);
  if (rows.length === 0) return next;
  const ordered = inTimeOrder(rows);
  const partitions = covers(committed, ordered) ? committed : await ensureAndReadPartitions(tx, ordered);
  const chainOne = (row: ChainedRow): ChainedRow => chainOnto(next, row);
  const connection = copyConnectionOf(tx);
  // Each partition's run is chained chunk by chunk while the server stores the chunk before.
  for (const run of partitionRuns(ordered, partitions)) await copyInto(connection, run.partition, columnNames, copyChunks(run.rows, chainOne));
  return next;
}

// Up to this many rows, appendAndMoveHeads writes them with one INSERT per partition, sent together
// with the heads' move: one round trip where COPY takes three (its start, its rows, and the move),
// all inside the heads' lock. The access decisions' audit batches are this small; COPY stays the way
// for bulk appends, where streaming is what counts.
const insertAtMost = 500;

/**
 * appendAuditEvents and then saveChainHeads, in the caller's transaction; a small batch of rows
 * (into partitions known committed) in one round trip. Any failure fails the transaction.
 */
export async function appendAndMoveHeads(tx: Tx, rows: ChainedRow[], heads: Map<string, ChainHead>, committed: Partition[]): Promise<void> {
  const ordered = inTimeOrder(rows);
  if (ordered.length === 0 || ordered.length > insertAtMost || !covers(committed, ordered)) {
    await saveChainHeads(tx, await appendAuditEvents(tx, rows, heads, committed));
    return;
  }
  const next = new Map(heads);
  for (const row of ordered) chainOnto(next, row);
  // Sent at once, in this order, on the transaction's connection; the move fails if an insert did.
  await Promise.all([...partitionRuns(ordered, committed).map((run) => insertRun(tx, run)), saveChainHeads(tx, next)]);
}

/** One INSERT of rows into their partition, from a JSON array (the same values COPY would write). */
async function insertRun(tx: Tx, run: { partition: string; rows: ChainedRow[] }): Promise<void> {
  if (!/^audit_events_\d{4}_\d{2}$/.test(run.partition)) throw new Error(`not an audit partition: ${run.partition}`);
  const records = run.rows.map((row) => Object.fromEntries(columns.map(([key, column]) => [column, row[key] instanceof Date ? (row[key] as Date).toISOString() : (row[key] ?? null)])));
  await tx.execute(
    sql`insert into ${sql.raw(run.partition)} (${sql.raw(columnNames.join(", "))}) select ${sql.raw(columnNames.join(", "))} from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as r(${sql.raw(recordTypes)})`,
  );
}
const recordTypes = columns.map(([, column, type]) => `${column} ${type}`).join(", ");

/** The rows in time order (ties in the order given). */
function inTimeOrder(rows: ChainedRow[]): ChainedRow[] {
  const order = rows.map((_, i) => i);
  const at = rows.map((r) => r.occurredAt.getTime());
  order.sort((a, b) => at[a]! - at[b]! || a - b);
  return order.map((i) => rows[i]!);
}

/** Do these partitions hold every one of these rows? */
function covers(partitions: Partition[], rows: ChainedRow[]): boolean {
  return rows.every((r) => partitions.some((p) => r.occurredAt.getTime() >= p.starts && r.occurredAt.getTime() < p.ends));
}

/**
 * Puts the row at the end of its chain, whose head `heads` holds (and moves on): fills in its seq,
 * prevHash and hash in place (a copy per row would double what ingest allocates).
 */
function chainOnto(heads: Map<string, ChainHead>, row: ChainedRow): ChainedRow {
  const head = heads.get(row.chain);
  if (!head) throw new Error(`the head of audit chain ${row.chain} is not locked`);
  row.seq = head.seq + 1;
  row.prevHash = head.hash;
  row.hash = chainHash(head.hash, row);
  heads.set(row.chain, { seq: row.seq, hash: row.hash });
  return row;
}

/** The partitions of these events (in time order), made in the caller's transaction where missing. */
async function ensureAndReadPartitions(tx: Tx, ordered: ChainedRow[]): Promise<Partition[]> {
  await ensurePartitions(tx, ordered.map((r) => r.occurredAt));
  return readPartitions(tx, ordered[0]!.occurredAt, ordered.at(-1)!.occurredAt);
}

/** The partitions that hold times from `lo` to `hi`. */
async function readPartitions(tx: Tx, lo: Date, hi: Date): Promise<Partition[]> {
  return rowsOf<{ name: string; starts: string | Date; ends: string | Date }>(
    await tx.execute(sql`select name, starts, ends from mosaic_audit_partitions(${lo.toISOString()}::timestamptz, ${hi.toISOString()}::timestamptz)`),
  ).map((p) => ({ name: p.name, starts: new Date(p.starts).getTime(), ends: new Date(p.ends).getTime() }));
}

/** Events in time order, cut into runs that each fall in one of these partitions. */
function partitionRuns(ordered: ChainedRow[], partitions: Partition[]): { partition: string; rows: ChainedRow[] }[] {
  const runs: { partition: string; rows: ChainedRow[]; ends: number }[] = [];
  for (const e of ordered) {
    const at = e.occurredAt.getTime();
    const run = runs.at(-1);
    if (run && at < run.ends) {
      run.rows.push(e);
      continue;
    }
    const p = partitions.find((x) => at >= x.starts && at < x.ends);
    if (!p) throw new Error(`no audit partition holds ${e.occurredAt.toISOString()}`);
    runs.push({ partition: p.name, rows: [e], ends: p.ends });
  }
  return runs;
}

// How each column is written as a COPY field. Times and numbers never hold a character COPY
// reserves; text may (a workstation name is anyone's input), and details is JSON.
const cellOf: Record<string, (value: never) => string> = {
  timestamptz: (v: Date) => v.toISOString(),
  bigint: (v: number) => String(v),
  integer: (v: number | null) => (v === null || v === undefined ? "\\N" : String(v)),
  uuid: (v: string | null) => copyValue(v),
  text: (v: string | null) => copyValue(v),
  jsonb: (v: unknown) => (v === null || v === undefined ? "\\N" : copyValue(JSON.stringify(v))),
};
const cellWriters = columns.map(([key, , type]) => {
  const write = cellOf[type] as (value: unknown) => string;
  return (row: ChainedRow) => write(row[key]);
});

/** COPY text lines of the rows, chained a few hundred at a time as the stream asks for them. */
function* copyChunks(rows: ChainedRow[], chainOne: (row: ChainedRow) => ChainedRow, size = 500): Generator<string> {
  for (let i = 0; i < rows.length; i += size) {
    let chunk = "";
    for (let k = i; k < Math.min(i + size, rows.length); k++) {
      const row = chainOne(rows[k]!);
      chunk += cellWriters[0]!(row);
      for (let c = 1; c < cellWriters.length; c++) chunk += `\t${cellWriters[c]!(row)}`;
      chunk += "\n";
    }
    yield chunk;
  }
}
