import "server-only";
// Audit events that must be durable before an answer leaves (DESIGN.md: nothing is answered before
// its audit record is), written by group commit: writing each request's events in a transaction of
// its own would make every caller wait on one commit per request, so the events of every request
// waiting at a moment are written together, in one transaction (one INSERT sent with the chain
// heads' move: lib/audit/append.ts), and each request waits for the commit of the batch that holds
// its events. Batches are appended one at a time (the chain heads' locks order them); the next one's
// transaction is opened meanwhile (see schedule). A batch that fails fails every request in it: none
// of them may be answered, and nothing is retried behind the caller's back. Alerts the events raise
// are stored in the same transaction.
//
// A request may come with an API key taken from a cache of verified keys: the batch confirms the keys
// after the heads' locks are granted (so a revocation committed while it waited is seen), and a
// request whose key is no longer valid is refused and its events are not written.
import type { Tx } from "@/lib/db/scope";
import { withSystem } from "@/lib/db/scope";
import { appendAndMoveHeads, committedPartitionsFor, lockChainHeads, type ChainedRow } from "./append";
import { insertAlerts, type AlertRow } from "./raise-alerts";

type Waiting = { rows: ChainedRow[]; alerts: AlertRow[]; apiKeyId: string | null; settle: (error?: Error) => void };

export type GroupCommitOptions = {
  /** What the events are, for the log line of a batch that failed ("access-decision"). */
  what: string;
  /** The error a request gets when its batch could not be written. */
  unavailable: (cause: unknown) => Error;
  /** Which of these API keys are still valid, read in the batch's transaction (when requests carry keys). */
  confirmKeys?: (tx: Tx, keyIds: string[]) => Promise<Set<string>>;
  /** The error a request gets when its key was no longer valid; told which keys, to forget them. */
  keyRefused?: (keyIds: string[]) => Error;
};

// A batch takes whole requests (a request's events commit together) up to about this many events;
// a request of up to 500 decisions (the API's batch limit) always fits in one.
const maxBatchEvents = 5_000;

/** One queue of requests whose events are appended durably, batch after batch. */
export class GroupCommit {
  private queue: Waiting[] = [];
  // Writers in flight (at most two: one in its locked section or committing, one ready behind it),
  // and whether one of them has not taken its batch yet (then new requests simply join the queue).
  private readonly writers = new Set<Promise<void>>();
  private hasReadyWriter = false;
  // Settles when the last writer started has left its locked section: the next one waits for it.
  private lastTurn: Promise<void> = Promise.resolve();

  constructor(private readonly options: GroupCommitOptions) {}

  /**
   * Appends these events (their seq and hashes are set as they join their chains) and the alerts they
   * raise, and resolves once they are committed; rejects if they were not, or if `apiKeyId` was no
   * longer valid when they would have been written.
   */
  append(rows: ChainedRow[], extra: { alerts?: AlertRow[]; apiKeyId?: string | null } = {}): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ rows, alerts: extra.alerts ?? [], apiKeyId: extra.apiKeyId ?? null, settle: (error) => (error ? reject(error) : resolve()) });
      this.schedule();
    });
  }

  /** Waits until every event queued so far is committed or refused (shutdown and tests). */
  async flush(): Promise<void> {
    while (this.writers.size || this.queue.length) {
      this.schedule();
      await Promise.all(this.writers);
    }
  }

  // Batches are written one after another, but the next writer does not wait idle for the one ahead:
  // it opens its transaction (and sets its scope) while the one ahead writes, then, once that one has
  // written its last row, takes every request queued by then and asks for the chain heads' locks,
  // which the database grants as the one ahead commits. So the serialized part of a batch is its
  // appending only, not its transaction's set-up, and each batch holds all that arrived meanwhile.
  private schedule(): void {
    if (this.hasReadyWriter || this.writers.size >= 2 || this.queue.length === 0) return;
    this.hasReadyWriter = true;
    const ahead = this.lastTurn;
    let leave!: () => void;
    this.lastTurn = new Promise<void>((resolve) => (leave = resolve));
    const writer = this.writeBatch(ahead, leave).finally(() => {
      this.writers.delete(writer);
      this.schedule();
    });
    this.writers.add(writer);
  }

  /** The requests queued now, whole, up to maxBatchEvents events (at least one request). */
  private takeBatch(): Waiting[] {
    this.hasReadyWriter = false;
    let events = 0;
    let taken = 0;
    while (taken < this.queue.length && (taken === 0 || events + this.queue[taken]!.rows.length <= maxBatchEvents)) events += this.queue[taken++]!.rows.length;
    const batch = this.queue.slice(0, taken);
    this.queue = this.queue.slice(taken);
    return batch;
  }

  /**
   * One transaction: once the writer ahead has appended (`ahead`), the queued requests are taken, the
   * chain heads locked and then their API keys confirmed (at once: one round trip), every event of
   * the requests whose key is still valid appended with its alerts, the heads moved. `leave` lets
   * the next writer on.
   */
  private async writeBatch(ahead: Promise<void>, leave: () => void): Promise<void> {
    const { confirmKeys, keyRefused, unavailable, what } = this.options;
    let batch: Waiting[] | null = null;
    let written: Waiting[] = [];
    let refused: Waiting[] = [];
    try {
      await withSystem(async (tx) => {
        try {
          await ahead;
          batch = this.takeBatch();
          if (batch.length === 0) return;
          this.schedule(); // more than one batch's worth queued: the next writer gets ready now
          const recordedAt = new Date();
          const partitions = await committedPartitionsFor(batch.flatMap((w) => w.rows.map((r) => r.occurredAt)));
          const keyIds = confirmKeys ? batch.flatMap((w) => (w.apiKeyId ? [w.apiKeyId] : [])) : [];
          // Heads of every chain the batch may write (those of a refused request's events too: left as they are).
          const [heads, live] = await Promise.all([lockChainHeads(tx, batch.flatMap((w) => w.rows.map((r) => r.chain))), keyIds.length ? confirmKeys!(tx, keyIds) : null]);
          written = live ? batch.filter((w) => !w.apiKeyId || live.has(w.apiKeyId)) : batch;
          refused = live ? batch.filter((w) => w.apiKeyId && !live.has(w.apiKeyId)) : [];
          const rows = written.flatMap((w) => w.rows);
          if (rows.length) {
            for (const row of rows) row.recordedAt = recordedAt;
            const alerts = written.flatMap((w) => w.alerts);
            await appendAndMoveHeads(tx, rows, heads, partitions);
            await insertAlerts(tx, alerts);
          }
        } finally {
          leave();
        }
      });
    } catch (error) {
      // A writer that failed before taking its batch (its transaction could not begin) fails the
      // requests that were waiting for it, rather than leaving them to wait on.
      const failed: Waiting[] = batch ?? this.takeBatch();
      if (!batch) void ahead.then(leave);
      // The database's own message only: the failed query's parameters hold patients' NHS numbers.
      const reason = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const events = failed.reduce((n, w) => n + w.rows.length, 0);
      console.error(`[mosaic] could not write ${events} ${what} audit events; ${failed.length} request(s) refused: ${reason instanceof Error ? reason.message : String(reason)}`);
      const refusal = unavailable(error);
      for (const w of failed) w.settle(refusal);
      return;
    }
    if (refused.length) {
      const refusal = keyRefused!(refused.map((w) => w.apiKeyId!));
      for (const w of refused) w.settle(refusal);
    }
    for (const w of written) w.settle();
  }
}
