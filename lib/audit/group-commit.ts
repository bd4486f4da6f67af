import "server-only";
// Audit events that must be durable before an answer leaves, written by group commit: the events of
// every request waiting at a moment are appended together, in one transaction (one COPY), and each
// request waits for the commit of the batch that holds its events. One batch is written at a time:
// while it commits, the next requests queue up, and their batch starts as soon as it has committed.
// A batch that fails fails every request in it (none of them may be answered), and nothing is
// retried behind the caller's back. Alerts the events raise are stored in the same transaction.
import { appendAuditEvents, lockChainHeads, saveChainHeads, type ChainedRow } from "./append";
import { insertAlerts, type AlertRow } from "./raise-alerts";
import { withSystem } from "@/lib/db/scope";

// A batch takes whole requests (a request's events commit together) up to about this many events.
const maxBatchEvents = 5_000;

type Waiting = { rows: ChainedRow[]; alerts: AlertRow[]; settle: (error?: unknown) => void };
let queue: Waiting[] = [];
let writing: Promise<void> | null = null;
let scheduled = false;

/**
 * Appends these events (their seq and hashes are set as they join their chains) and the alerts they
 * raise, and resolves once they are committed; rejects, with the database's error, if they were not.
 */
export function appendDurably(rows: ChainedRow[], alerts: AlertRow[] = []): Promise<void> {
  if (rows.length === 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    queue.push({ rows, alerts, settle: (error) => (error ? reject(error) : resolve()) });
    schedule();
  });
}

// When idle, a batch starts after the current turn of the event loop, so requests made together join.
function schedule(): void {
  if (writing || scheduled) return;
  scheduled = true;
  setImmediate(startBatch);
}

function startBatch(): void {
  scheduled = false;
  if (writing || queue.length === 0) return;
  let events = 0;
  let taken = 0;
  while (taken < queue.length && (taken === 0 || events + queue[taken]!.rows.length <= maxBatchEvents)) events += queue[taken++]!.rows.length;
  const batch = queue.slice(0, taken);
  queue = queue.slice(taken);
  writing = writeBatch(batch).finally(() => {
    writing = null;
    if (queue.length) schedule();
  });
}

async function writeBatch(batch: Waiting[]): Promise<void> {
  const recordedAt = new Date();
  const rows = batch.flatMap((w) => w.rows);
  for (const row of rows) row.recordedAt = recordedAt;
  try {
    await withSystem(async (tx) => {
      const heads = await lockChainHeads(tx, rows.map((r) => r.chain));
      const moved = await appendAuditEvents(tx, rows, heads);
      await Promise.all([saveChainHeads(tx, moved), insertAlerts(tx, batch.flatMap((w) => w.alerts))]);
    });
  } catch (error) {
    for (const w of batch) w.settle(error);
    return;
  }
  for (const w of batch) w.settle();
}

/** Waits until every event queued so far is committed or refused (shutdown and tests). */
export async function flushDurableAudit(): Promise<void> {
  while (writing || queue.length) {
    if (!writing) startBatch();
    await writing;
  }
}
