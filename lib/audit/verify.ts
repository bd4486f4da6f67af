import "server-only";
import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import { rowsOf, type Executor } from "@/db/client";
import { auditChainHeads, auditEvents } from "@/db/schema";
import type { ChainedFields } from "./canonical";
import { chainHash, genesisHash } from "./chain";

export type ChainBreak = {
  chain: string;
  seq: number;
  eventId: string | null;
  problem: "hash_mismatch" | "broken_link" | "missing_event" | "sequence_gap" | "head_mismatch" | "beyond_head" | "head_missing" | "checkpoint_mismatch";
  message: string;
};

export type ChainReport = { chain: string; events: number; headSeq: number; ok: boolean; firstBreak: ChainBreak | null };

/** Events per page of a walk: bounded memory and bounded index ranges at any chain length. */
const defaultPageSize = 5_000;

/**
 * Walks one hash chain in sequence order, from `from` to its head, and names the first broken
 * link: an event whose stored hash is not the hash of its fields (edited, a stored time included),
 * whose prev_hash is not the previous event's hash (inserted or reordered), a sequence number
 * missing or repeated (deleted, inserted), a head the events do not reach or whose hash is not the
 * last event's, or events beyond the head (the head moved back over a deleted or rewritten tail).
 * `from` starts the walk after a point already trusted (a witnessed checkpoint) instead of at genesis.
 */
export async function verifyChain(
  db: Executor,
  chain: string,
  onProgress?: (checked: number) => void,
  from: { seq: number; hash: string } = { seq: 0, hash: genesisHash },
  options: { pageSize?: number } = {},
): Promise<ChainReport> {
  const pageSize = options.pageSize ?? defaultPageSize;
  const [head] = await db.select({ seq: auditChainHeads.seq, hash: auditChainHeads.hash }).from(auditChainHeads).where(eq(auditChainHeads.chain, chain));
  const headSeq = head?.seq ?? 0;
  let prevHash = from.hash;
  let expectedSeq = from.seq + 1;
  let checked = 0;
  const fail = (b: Omit<ChainBreak, "chain">): ChainReport => ({ chain, events: checked, headSeq, ok: false, firstBreak: { chain, ...b } });
  if (!head) {
    return fail({ seq: from.seq + 1, eventId: null, problem: "head_missing", message: `The chain has no head: its head row was deleted.` });
  }
  if (headSeq < from.seq) {
    return fail({ seq: headSeq + 1, eventId: null, problem: "missing_event", message: `The chain head (${headSeq}) is behind the checkpoint the walk starts from (${from.seq}): events were removed.` });
  }

  // Pages of the chain by sequence-number range, bounded above as well as below: with only a lower
  // bound the planner, blind to what row-level security lets through, may read the rest of the
  // chain for every page. The walk goes to the head whatever each page holds (a short page is a
  // gap, not the end), and the next range is asked for while this one is hashed. Stored times are
  // compared at full precision: the hash sees them as JavaScript Dates (milliseconds), so a
  // sub-millisecond edit would otherwise hash the same.
  const pageFrom = (after: number) => {
    const page = db
      .select({
        row: auditEvents,
        subMillisecond: sql<boolean>`(date_trunc('milliseconds', ${auditEvents.occurredAt}) <> ${auditEvents.occurredAt} or date_trunc('milliseconds', ${auditEvents.recordedAt}) <> ${auditEvents.recordedAt})`,
      })
      .from(auditEvents)
      .where(and(eq(auditEvents.chain, chain), gt(auditEvents.seq, after), lte(auditEvents.seq, Math.min(after + pageSize, headSeq))))
      .orderBy(asc(auditEvents.seq))
      // One more than a full range: a repeated sequence number shows within its page.
      .limit(pageSize + 1)
      .execute();
    page.catch(() => {}); // a page asked for ahead and not needed (the walk stopped) must not go unhandled
    return page;
  };
  let after = from.seq;
  let next = after < headSeq ? pageFrom(after) : null;
  while (next) {
    const rows = await next;
    after += pageSize;
    next = after < headSeq ? pageFrom(after) : null;
    for (const { row, subMillisecond } of rows) {
      if (row.seq < expectedSeq) {
        return fail({ seq: row.seq, eventId: row.id, problem: "broken_link", message: `Event ${row.id} repeats sequence number ${row.seq}: an event was inserted.` });
      }
      if (row.seq > expectedSeq) {
        return fail({ seq: expectedSeq, eventId: null, problem: "sequence_gap", message: `Sequence number ${expectedSeq} is missing: an event was deleted.` });
      }
      if (row.prevHash !== prevHash) {
        return fail({ seq: row.seq, eventId: row.id, problem: "broken_link", message: `Event ${row.id} does not follow the event before it: an event was inserted, removed or reordered.` });
      }
      const recomputed = chainHash(prevHash, row as ChainedFields);
      if (recomputed !== row.hash || subMillisecond) {
        return fail({ seq: row.seq, eventId: row.id, problem: "hash_mismatch", message: `Event ${row.id} (sequence ${row.seq}) was altered after it was recorded.` });
      }
      prevHash = row.hash;
      expectedSeq++;
      checked++;
    }
    onProgress?.(checked);
    // The range is walked; a sequence number it lacks is missing (its page ended early).
    const reached = Math.min(after, headSeq);
    if (expectedSeq <= reached) {
      if (reached === headSeq) {
        const lastSeq = expectedSeq - 1;
        return fail({
          seq: expectedSeq,
          eventId: null,
          problem: "missing_event",
          message: `The chain head says ${headSeq} events, but only ${lastSeq} are there: the last ${headSeq - lastSeq} were deleted.`,
        });
      }
      return fail({ seq: expectedSeq, eventId: null, problem: "sequence_gap", message: `Sequence number ${expectedSeq} is missing: an event was deleted.` });
    }
  }
  if (head.hash !== prevHash) {
    return fail({ seq: headSeq, eventId: null, problem: "head_mismatch", message: `The chain head's hash at sequence ${headSeq} is not the last event's: the head or the last event was changed.` });
  }
  // Nothing may lie past the head: a head moved back leaves the tail it hides behind it.
  const [beyond] = await db
    .select({ seq: auditEvents.seq, id: auditEvents.id })
    .from(auditEvents)
    .where(and(eq(auditEvents.chain, chain), gt(auditEvents.seq, headSeq)))
    .orderBy(asc(auditEvents.seq))
    .limit(1);
  if (beyond) {
    // Named from the first sequence number past the head: the tail the head was moved back over starts there.
    return fail({
      seq: headSeq + 1,
      eventId: beyond.seq === headSeq + 1 ? beyond.id : null,
      problem: "beyond_head",
      message: `Event ${beyond.id} (sequence ${beyond.seq}) lies beyond the chain head (${headSeq}): the head was moved back over the events after ${headSeq}.`,
    });
  }
  return { chain, events: checked, headSeq, ok: true, firstBreak: null };
}

/** Every chain's name (one per source trust, and the consortium's). */
export async function listChains(db: Executor): Promise<string[]> {
  const rows = await db.select({ chain: auditChainHeads.chain }).from(auditChainHeads).orderBy(asc(auditChainHeads.chain));
  return rows.map((r) => r.chain);
}

/**
 * Chains that are known somewhere but have no head row: a chain with events (found by a skip scan
 * of the (chain, seq) index, a handful of index probes per chain whatever the volume), with signed
 * checkpoints in the database, or in the witness (`witnessed`, chains the witness holds
 * checkpoints of). A head row deleted, or a chain deleted whole with its head, shows here.
 */
export async function findVanishedChains(db: Executor, witnessed: Iterable<string> = [], only?: string[]): Promise<ChainBreak[]> {
  const heads = new Set(await listChains(db));
  // `only`: the chains a caller may verify, probed one by one. A skip scan of the whole index under
  // a trust's row-level security would step through every row of the chains it may not see.
  const withEvents = only
    ? rowsOf<{ chain: string }>(
        await db.execute(sql`select c as chain from json_array_elements_text(${JSON.stringify(only.filter((c) => !heads.has(c)))}::json) as c
          where exists (select 1 from audit_events e where e.chain = c)`),
      ).map((r) => r.chain)
    : rowsOf<{ chain: string }>(
        await db.execute(sql`with recursive c(chain) as (
            (select chain from audit_events order by chain limit 1)
            union all
            select (select e.chain from audit_events e where e.chain > c.chain order by e.chain limit 1) from c where c.chain is not null
          ) select chain from c where chain is not null`),
      ).map((r) => r.chain);
  const withCheckpoints = rowsOf<{ chain: string }>(await db.execute(sql`select distinct chain from audit_checkpoints`)).map((r) => r.chain);
  const breaks = new Map<string, ChainBreak>();
  const add = (chain: string, where: string) => {
    if (heads.has(chain) || breaks.has(chain)) return;
    breaks.set(chain, { chain, seq: 1, eventId: null, problem: "head_missing", message: `Chain ${chain} has ${where} but no head: its head, or the whole chain, was deleted.` });
  };
  for (const chain of withEvents) add(chain, "events");
  for (const chain of withCheckpoints) add(chain, "signed checkpoints in the database");
  for (const chain of witnessed) add(chain, "checkpoints in the witness");
  return [...breaks.values()].sort((a, b) => a.chain.localeCompare(b.chain));
}
