import "server-only";
// Appending chained events to the audit trail in bulk: the machine ingest and the demo history both
// come through here. On the PostgreSQL server the rows are streamed with COPY into the monthly
// partition that holds them (db/migrations/0014_audit_partition_copy.sql says why a partition and
// not the parent); on PGlite they go in with one INSERT … SELECT from JSON.
import { sql } from "drizzle-orm";
import { copyConnectionOf, copyInto, copyValue } from "@/db/copy";
import { rowsOf } from "@/db/client";
import type { Tx } from "@/lib/db/scope";
import type { ChainedFields } from "./canonical";
import { chainHash, genesisHash } from "./chain";

/** An event with its place in its chain: what audit_events stores. */
export type ChainedRow = ChainedFields & { prevHash: string; hash: string };

export type ChainHead = { seq: number; hash: string };

// The columns, in one place, so that both write paths and the COPY lines agree.
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
const insertColumns = sql.raw(columnNames.join(", "));
const recordsetTypes = sql.raw(columns.map(([, c, t]) => `${c} ${t}`).join(", "));

/** Makes sure a monthly partition exists for every (UTC) month these times fall in. */
export async function ensurePartitions(tx: Tx, times: Date[]): Promise<void> {
  const months = [...new Set(times.map((t) => t.toISOString().slice(0, 7)))];
  for (const month of months) await tx.execute(sql`select mosaic_ensure_audit_partition(${`${month}-01`}::date)`);
}

/**
 * Locks the heads of these chains (in a fixed order, so concurrent batches never deadlock) and
 * returns where each stands. Held to the end of the transaction: sequence numbers follow commit order.
 */
export async function lockChainHeads(tx: Tx, chains: string[]): Promise<Map<string, ChainHead>> {
  const sorted = [...new Set(chains)].sort();
  const json = JSON.stringify(sorted);
  await tx.execute(
    sql`insert into audit_chain_heads (chain, seq, hash) select c, 0, ${genesisHash} from json_array_elements_text(${json}::json) as c on conflict do nothing`,
  );
  const heads = rowsOf<{ chain: string; seq: string | number; hash: string }>(
    await tx.execute(sql`select chain, seq, hash from audit_chain_heads where chain in (select json_array_elements_text(${json}::json)) order by chain for update`),
  );
  return new Map(heads.map((h) => [h.chain, { seq: Number(h.seq), hash: h.hash }]));
}

/** Moves the chain heads to their new last events. */
export async function saveChainHeads(tx: Tx, heads: Map<string, ChainHead>): Promise<void> {
  const json = JSON.stringify([...heads].map(([chain, h]) => ({ chain, seq: h.seq, hash: h.hash })));
  await tx.execute(sql`update audit_chain_heads h set seq = x.seq, hash = x.hash, updated_at = now()
    from json_to_recordset(${json}::json) as x(chain text, seq bigint, hash text) where h.chain = x.chain`);
}

/** An event to append: everything but its place in its chain (the chain it joins is given). */
export type UnchainedEvent = Omit<ChainedFields, "seq">;

/**
 * Chains events onto their chains and appends them to audit_events, in the caller's transaction
 * (partitions made as needed). The caller holds the locks of these chains' heads (lockChainHeads)
 * and passes them in; the new heads come back, for saveChainHeads. Events join their chain in time
 * order (ties in the order given), so each month's rows are one run and are chained as they are sent.
 */
export async function appendAuditEvents(tx: Tx, events: UnchainedEvent[], heads: Map<string, ChainHead>): Promise<Map<string, ChainHead>> {
  const next = new Map(heads);
  if (events.length === 0) return next;
  const ordered = events.map((e, i) => ({ e, i, at: e.occurredAt.getTime() })).sort((a, b) => a.at - b.at || a.i - b.i).map((x) => x.e);
  await ensurePartitions(tx, ordered.map((e) => e.occurredAt));
  const chainOne = (e: UnchainedEvent): ChainedRow => {
    const head = next.get(e.chain);
    if (!head) throw new Error(`the head of audit chain ${e.chain} is not locked`);
    const fields: ChainedFields = { ...e, seq: head.seq + 1 };
    const hash = chainHash(head.hash, fields);
    next.set(e.chain, { seq: fields.seq, hash });
    return { ...fields, prevHash: head.hash, hash };
  };
  const connection = copyConnectionOf(tx);
  if (!connection) {
    const rows = ordered.map(chainOne);
    const json = JSON.stringify(rows.map((r) => Object.fromEntries(columns.map(([k, c]) => [c, r[k] instanceof Date ? (r[k] as Date).toISOString() : r[k]]))));
    await tx.execute(sql`insert into audit_events (${insertColumns}) select ${insertColumns} from json_to_recordset(${json}::json) as x(${recordsetTypes})`);
    return next;
  }
  // Each partition's run is chained chunk by chunk while the server stores the chunk before.
  for (const run of await partitionRuns(tx, ordered)) await copyInto(connection, run.partition, columnNames, copyChunks(run.events, chainOne));
  return next;
}

/** Events in time order, cut into runs that each fall in one partition. */
async function partitionRuns(tx: Tx, ordered: UnchainedEvent[]): Promise<{ partition: string; events: UnchainedEvent[] }[]> {
  const lo = ordered[0]!.occurredAt;
  const hi = ordered.at(-1)!.occurredAt;
  const partitions = rowsOf<{ name: string; starts: string | Date; ends: string | Date }>(
    await tx.execute(sql`select name, starts, ends from mosaic_audit_partitions(${lo.toISOString()}::timestamptz, ${hi.toISOString()}::timestamptz)`),
  ).map((p) => ({ name: p.name, starts: new Date(p.starts).getTime(), ends: new Date(p.ends).getTime() }));
  const runs: { partition: string; events: UnchainedEvent[]; ends: number }[] = [];
  for (const e of ordered) {
    const at = e.occurredAt.getTime();
    const run = runs.at(-1);
    if (run && at < run.ends) {
      run.events.push(e);
      continue;
    }
    const p = partitions.find((x) => at >= x.starts && at < x.ends);
    if (!p) throw new Error(`no audit partition holds ${e.occurredAt.toISOString()}`);
    runs.push({ partition: p.name, events: [e], ends: p.ends });
  }
  return runs;
}

/** One value as a COPY field: times in ISO 8601, details as JSON. */
function copyCell(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === "object") return copyValue(JSON.stringify(value));
  return copyValue(value as string | number | null | undefined);
}

/** COPY text lines of the events, chained a few hundred at a time as the stream asks for them. */
function* copyChunks(events: UnchainedEvent[], chainOne: (e: UnchainedEvent) => ChainedRow, size = 500): Generator<string> {
  for (let i = 0; i < events.length; i += size) {
    let chunk = "";
    for (let k = i; k < Math.min(i + size, events.length); k++) {
      const row = chainOne(events[k]!);
      chunk += columns.map(([key]) => copyCell(row[key])).join("\t") + "\n";
    }
    yield chunk;
  }
}
