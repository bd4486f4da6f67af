import "server-only";
import { and, asc, eq, gt, lte } from "drizzle-orm";
import { auditChainHeads, auditEvents } from "@/db/schema";
import type { Executor } from "@/db/client";
import type { ChainedFields } from "./canonical";
import { chainHash, genesisHash } from "./chain";

export type ChainBreak = {
  chain: string;
  seq: number;
  eventId: string | null;
  problem: "hash_mismatch" | "broken_link" | "missing_event" | "sequence_gap" | "head_mismatch";
  message: string;
};

export type ChainReport = { chain: string; events: number; headSeq: number; ok: boolean; firstBreak: ChainBreak | null };

const batchSize = 5_000;

/**
 * Walks one hash chain in sequence order and names the first broken link: an event whose stored
 * hash is not the hash of its fields (edited), whose prev_hash is not the previous event's hash
 * (inserted or reordered), a gap in the sequence (deleted), or a head that the events do not reach.
 * `from` starts the walk after a point already trusted (a signed checkpoint) instead of at genesis.
 */
export async function verifyChain(
  db: Executor,
  chain: string,
  onProgress?: (checked: number) => void,
  from: { seq: number; hash: string } = { seq: 0, hash: genesisHash },
): Promise<ChainReport> {
  const [head] = await db.select({ seq: auditChainHeads.seq, hash: auditChainHeads.hash }).from(auditChainHeads).where(eq(auditChainHeads.chain, chain));
  let prevHash = from.hash;
  let expectedSeq = from.seq + 1;
  let checked = 0;
  const fail = (b: Omit<ChainBreak, "chain">): ChainReport => ({ chain, events: checked, headSeq: head?.seq ?? 0, ok: false, firstBreak: { chain, ...b } });

  // Pages of the chain by sequence number, bounded above as well as below: with only a lower bound
  // the planner, blind to what row-level security lets through, may read the rest of the chain for
  // every page. The next page is asked for while this one is hashed.
  const pageFrom = (after: number) => {
    const page = db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.chain, chain), gt(auditEvents.seq, after), lte(auditEvents.seq, after + batchSize)))
      .orderBy(asc(auditEvents.seq))
      .limit(batchSize)
      .execute();
    page.catch(() => {}); // a page asked for ahead and not needed (the walk stopped) must not go unhandled
    return page;
  };
  let next = pageFrom(expectedSeq - 1);
  for (;;) {
    const rows = await next;
    if (rows.length === batchSize) next = pageFrom(expectedSeq - 1 + batchSize);
    for (const row of rows) {
      if (row.seq < expectedSeq) {
        return fail({ seq: row.seq, eventId: row.id, problem: "broken_link", message: `Event ${row.id} repeats sequence number ${row.seq}.` });
      }
      if (row.seq > expectedSeq) {
        return fail({ seq: expectedSeq, eventId: null, problem: "sequence_gap", message: `Sequence number ${expectedSeq} is missing: an event was deleted.` });
      }
      if (row.prevHash !== prevHash) {
        return fail({ seq: row.seq, eventId: row.id, problem: "broken_link", message: `Event ${row.id} does not follow the event before it: an event was inserted, removed or reordered.` });
      }
      const recomputed = chainHash(prevHash, row as ChainedFields);
      if (recomputed !== row.hash) {
        return fail({ seq: row.seq, eventId: row.id, problem: "hash_mismatch", message: `Event ${row.id} (sequence ${row.seq}) was altered after it was recorded.` });
      }
      prevHash = row.hash;
      expectedSeq++;
      checked++;
    }
    onProgress?.(checked);
    if (rows.length < batchSize) break;
  }
  const headSeq = head?.seq ?? 0;
  const lastSeq = expectedSeq - 1;
  if (headSeq !== lastSeq || (head && head.hash !== prevHash)) {
    return fail({
      seq: lastSeq + 1,
      eventId: null,
      problem: headSeq > lastSeq ? "missing_event" : "head_mismatch",
      message:
        headSeq > lastSeq
          ? `The chain head says ${headSeq} events, but only ${lastSeq} are there: the last ${headSeq - lastSeq} were deleted.`
          : `The chain head (${headSeq}) does not match the events (${lastSeq}).`,
    });
  }
  return { chain, events: checked, headSeq, ok: true, firstBreak: null };
}

/** Every chain's name (one per source trust, and the consortium's). */
export async function listChains(db: Executor): Promise<string[]> {
  const rows = await db.select({ chain: auditChainHeads.chain }).from(auditChainHeads).orderBy(asc(auditChainHeads.chain));
  return rows.map((r) => r.chain);
}
