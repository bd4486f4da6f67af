import "server-only";
import { AppError } from "@/lib/errors";
// The audit trail of access decisions, by group commit. A decision is not answered before its audit
// event is durable (DESIGN.md: nothing is answered before its audit record is); writing each
// request's events in a transaction of its own would make the PACS wait on one commit per request,
// so the events of every request waiting at a moment are written together, in one transaction (one
// COPY on the server), and each request waits for the commit of the batch that holds its events.
// One batch is written at a time: while it commits, the next requests queue up, and their batch
// starts as soon as it has committed. A batch that fails fails every request in it: none of them is
// answered with a decision (the route answers 503), and nothing is retried behind the caller's back.
// The batch also confirms the API keys its requests came with (the route takes them from a cache of
// verified keys, lib/api-clients/key-cache.ts): a request whose key was revoked, rotated out or
// expired by the time its batch began is answered 401, and its events are not written.
import { appendAuditEvents, committedPartitionsFor, lockChainHeads, saveChainHeads, type ChainedRow } from "@/lib/audit/append";
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
let writing: Promise<void> | null = null;
let scheduled = false;

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

// While a batch is being written the queue only grows; the next batch starts when it is done. When
// idle, a batch starts after the current turn of the event loop, so requests decided together join.
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

/**
 * One transaction: the requests' API keys confirmed and the chain heads locked (at once: one round
 * trip), every event of the requests whose key is still valid appended, the heads moved.
 */
async function writeBatch(batch: Waiting[]): Promise<void> {
  const recordedAt = new Date();
  let written: Waiting[] = batch;
  let refused: Waiting[] = [];
  try {
    // Outside the transaction, and so outside the chain heads' lock: the partitions the rows go to
    // (from memory once this process has seen their month committed).
    const partitions = await committedPartitionsFor(batch.flatMap((w) => w.rows.map((r) => r.occurredAt)));
    await withSystem(async (tx) => {
      const keyIds = batch.flatMap((w) => (w.apiKeyId ? [w.apiKeyId] : []));
      // Heads of every chain the batch may write (those of a refused request's events too: left as they are).
      const [live, heads] = await Promise.all([
        keyIds.length ? confirmApiKeys(tx, keyIds) : null,
        lockChainHeads(tx, batch.flatMap((w) => w.rows.map((r) => r.chain))),
      ]);
      if (live) {
        written = batch.filter((w) => !w.apiKeyId || live.has(w.apiKeyId));
        refused = batch.filter((w) => w.apiKeyId && !live.has(w.apiKeyId));
      }
      const rows = written.flatMap((w) => w.rows);
      if (rows.length) {
        for (const row of rows) row.recordedAt = recordedAt;
        await saveChainHeads(tx, await appendAuditEvents(tx, rows, heads, partitions));
      }
    });
  } catch (error) {
    // The database's own message only: the failed query's parameters hold patients' NHS numbers.
    const reason = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const events = batch.reduce((n, w) => n + w.rows.length, 0);
    console.error(`[mosaic] could not write ${events} access-decision audit events; ${batch.length} request(s) refused: ${reason instanceof Error ? reason.message : String(reason)}`);
    const refusal = new DecisionAuditUnavailableError({ cause: error });
    for (const w of batch) w.settle(refusal);
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
  while (writing || queue.length) {
    if (!writing) startBatch();
    await writing;
  }
}
