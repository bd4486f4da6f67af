import "server-only";
import { AppError } from "@/lib/errors";
// The audit trail of access decisions, by group commit. A decision is not answered before its audit
// event is durable (DESIGN.md: nothing is answered before its audit record is); writing each
// request's events in a transaction of its own would make the PACS wait on one commit per request,
// so the events of every request waiting at a moment are written together, in one transaction (one
// INSERT sent with the chain heads' move: lib/audit/append.ts), and each request waits for the
// commit of the batch that holds its events. Batches are appended one at a time (the chain heads'
// locks order them); the next one's transaction is opened meanwhile (see schedule). A batch that
// fails fails every request in it: none of them is answered with a decision (the route answers
// 503), and nothing is retried behind the caller's back.
// The batch also confirms the API keys its requests came with (the route takes them from a cache of
// verified keys, lib/api-clients/key-cache.ts): a request whose key was revoked, rotated out or
// expired by the time its batch began is answered 401, and its events are not written.
import { appendAndMoveHeads, committedPartitionsFor, lockChainHeads, type ChainedRow } from "@/lib/audit/append";
import { apiKeyCache, confirmApiKeys, invalidApiKeyError } from "@/lib/api-clients/key-cache";
import { chainOf } from "@/lib/audit/chain";
import { withSystem } from "@/lib/db/scope";
import type { PolicySnapshot } from "./cache";
import type { Decision, DecisionRequest } from "./engine";
import type { AccessDecisionRequest } from "./schemas";

/**
 * Who asked for the decisions: the machine client and where the request came from. `apiKeyId`: the
 * key the request came with, confirmed still valid in the transaction that writes its events.
 */
export type DecisionAuditContext = { apiClientId: string | null; apiKeyId?: string | null; ip: string | null; userAgent: string | null; requestId: string | null };

type Decided = { request: AccessDecisionRequest; resolved: DecisionRequest; decision: Decision; occurredAt: Date; context: DecisionAuditContext };

/** The audit trail could not store a decision's event: the decision must not be answered. */
class DecisionAuditUnavailableError extends AppError {
  constructor(options?: { cause?: unknown }) {
    super("UNAVAILABLE", "The audit trail is not available, so no decision was given. Try again shortly.", { retryAfterSeconds: 1 });
    this.name = "DecisionAuditUnavailableError";
    this.cause = options?.cause;
  }
}

// A batch takes whole requests (a request's events commit together) up to about this many events;
// a request of up to 500 decisions (the API's batch limit) always fits in one.
const maxBatchEvents = 5_000;

type Waiting = { rows: ChainedRow[]; apiKeyId: string | null; settle: (error?: Error) => void };
let queue: Waiting[] = [];
// Writers in flight (at most two: one in its locked section or committing, one ready behind it),
// and whether one of them has not taken its batch yet (then new requests simply join the queue).
const writers = new Set<Promise<void>>();
let hasReadyWriter = false;
// Settles when the last writer started has left its locked section: the next one waits for it.
let lastTurn: Promise<void> = Promise.resolve();

/** The audit event of one access decision: who asked about which patient's study, why, and the answer. */
function decisionEvent(d: Decided, snapshot: PolicySnapshot): ChainedRow {
  const { request, resolved, decision } = d;
  const sourceTrustId = snapshot.trustIds.get(request.study.sourceTrust) ?? null;
  return {
    id: crypto.randomUUID(),
    chain: chainOf(sourceTrustId),
    seq: 0, // seq, prevHash and hash are set as the row joins its chain (appendAuditEvents)
    prevHash: "",
    hash: "",
    occurredAt: d.occurredAt,
    recordedAt: d.occurredAt,
    action: "access.decision",
    outcome: decision.decision === "permit" ? "success" : "denied",
    actorUserId: null,
    actorEmail: request.requester.user,
    actorTrustId: snapshot.trustIds.get(request.requester.trust) ?? null,
    actorRole: resolved.requester.roles[0] ?? null,
    sourceTrustId,
    patientNhsNumber: request.study.patientNhsNumber ?? null,
    studyInstanceUid: request.study.studyInstanceUid ?? null,
    accessionNumber: null,
    modality: request.study.modality,
    purpose: request.purpose,
    policyId: decision.policy?.id ?? null,
    policyVersion: decision.policy?.version ?? null,
    breakGlassJustification: request.breakGlassJustification,
    ip: d.context.ip,
    workstation: d.context.userAgent,
    targetType: null,
    targetId: null,
    details: {
      decision: decision.decision,
      breakGlass: decision.breakGlass,
      reasons: decision.reasons.map((r) => r.code),
      requesterTrust: request.requester.trust,
      sourceTrust: request.study.sourceTrust,
      studyDate: request.study.studyDate,
      patientEpisodeTrusts: request.patientEpisodeTrusts,
      apiClientId: d.context.apiClientId,
      requestId: d.context.requestId,
    },
  };
}

/**
 * Writes the audit events of these decisions and resolves once they are committed (with the other
 * requests' events of the same batch). Rejects with DecisionAuditUnavailableError if they were not.
 */
export function auditDecisions(decided: readonly Decided[], snapshot: PolicySnapshot): Promise<void> {
  const rows = decided.map((d) => decisionEvent(d, snapshot));
  if (rows.length === 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    queue.push({ rows, apiKeyId: decided[0]?.context.apiKeyId ?? null, settle: (error) => (error ? reject(error) : resolve()) });
    schedule();
  });
}

// Batches are written one after another, but the next writer does not wait idle for the one ahead:
// it opens its transaction (and sets its scope) while the one ahead writes, then, once that one has
// written its last row, takes every request queued by then and asks for the chain heads' locks,
// which the database grants as the one ahead commits. So the serialized part of a batch is its
// appending only, not its transaction's set-up, and each batch holds all that arrived meanwhile.
function schedule(): void {
  if (hasReadyWriter || writers.size >= 2 || queue.length === 0) return;
  hasReadyWriter = true;
  const ahead = lastTurn;
  let leave!: () => void;
  lastTurn = new Promise<void>((resolve) => (leave = resolve));
  const writer = writeBatch(ahead, leave).finally(() => {
    writers.delete(writer);
    schedule();
  });
  writers.add(writer);
}

/** The requests queued now, whole, up to maxBatchEvents events (at least one request). */
function takeBatch(): Waiting[] {
  hasReadyWriter = false;
  let events = 0;
  let taken = 0;
  while (taken < queue.length && (taken === 0 || events + queue[taken]!.rows.length <= maxBatchEvents)) events += queue[taken++]!.rows.length;
  const batch = queue.slice(0, taken);
  queue = queue.slice(taken);
  return batch;
}

/**
 * One transaction: once the writer ahead has appended (`ahead`), the queued requests are taken, the
 * chain heads locked and then their API keys confirmed (at once: one round trip; the keys are read
 * after the lock is granted, so a revocation committed while this waited is seen), every event of
 * the requests whose key is still valid appended, the heads moved. `leave` lets the next writer on.
 */
async function writeBatch(ahead: Promise<void>, leave: () => void): Promise<void> {
  let batch: Waiting[] | null = null;
  let written: Waiting[] = [];
  let refused: Waiting[] = [];
  try {
    await withSystem(async (tx) => {
      try {
        await ahead;
        batch = takeBatch();
        if (batch.length === 0) return;
        schedule(); // more than one batch's worth queued: the next writer gets ready now
        const recordedAt = new Date();
        const partitions = await committedPartitionsFor(batch.flatMap((w) => w.rows.map((r) => r.occurredAt)));
        const keyIds = batch.flatMap((w) => (w.apiKeyId ? [w.apiKeyId] : []));
        // Heads of every chain the batch may write (those of a refused request's events too: left as they are).
        const [heads, live] = await Promise.all([lockChainHeads(tx, batch.flatMap((w) => w.rows.map((r) => r.chain))), keyIds.length ? confirmApiKeys(tx, keyIds) : null]);
        written = live ? batch.filter((w) => !w.apiKeyId || live.has(w.apiKeyId)) : batch;
        refused = live ? batch.filter((w) => w.apiKeyId && !live.has(w.apiKeyId)) : [];
        const rows = written.flatMap((w) => w.rows);
        if (rows.length) {
          for (const row of rows) row.recordedAt = recordedAt;
          await appendAndMoveHeads(tx, rows, heads, partitions);
        }
      } finally {
        leave();
      }
    });
  } catch (error) {
    // A writer that failed before taking its batch (its transaction could not begin) fails the
    // requests that were waiting for it, rather than leaving them to wait on.
    const failed: Waiting[] = batch ?? takeBatch();
    if (!batch) void ahead.then(leave);
    // The database's own message only: the failed query's parameters hold patients' NHS numbers.
    const reason = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const events = failed.reduce((n, w) => n + w.rows.length, 0);
    console.error(`[mosaic] could not write ${events} access-decision audit events; ${failed.length} request(s) refused: ${reason instanceof Error ? reason.message : String(reason)}`);
    const refusal = new DecisionAuditUnavailableError({ cause: error });
    for (const w of failed) w.settle(refusal);
    return;
  }
  if (refused.length) {
    apiKeyCache.forgetKeys(refused.map((w) => w.apiKeyId!));
    const refusal = invalidApiKeyError();
    for (const w of refused) w.settle(refusal);
  }
  for (const w of written) w.settle();
}

/** Waits until every decision event queued so far is committed or refused (shutdown and tests). */
export async function flushDecisionAudit(): Promise<void> {
  while (writers.size || queue.length) {
    schedule();
    await Promise.all(writers);
  }
}
