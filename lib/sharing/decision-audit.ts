import "server-only";
import { recordAuditEvent, type AuditInput } from "@/lib/audit/record";
import { withSystem } from "@/lib/db/scope";
import type { PolicySnapshot } from "./cache";
import type { Decision, DecisionRequest } from "./engine";
import type { AccessDecisionRequest } from "./schemas";

/** Who asked for the decisions: the machine client and where the request came from. */
export type DecisionAuditContext = { apiClientId: string | null; ip: string | null; userAgent: string | null; requestId: string | null };

type Decided = { request: AccessDecisionRequest; resolved: DecisionRequest; decision: Decision; occurredAt: Date; context: DecisionAuditContext };

const maxBatch = 500;
const maxQueued = 100_000;
const queue: AuditInput[] = [];
let scheduled: ReturnType<typeof setTimeout> | undefined;
let flushing: Promise<void> | undefined;

/** The audit event of one access decision: who asked about which patient's study, why, and the answer. */
export function decisionEvent(d: Decided, snapshot: PolicySnapshot): AuditInput {
  const { request, resolved, decision } = d;
  return {
    id: crypto.randomUUID(),
    action: "access.decision",
    outcome: decision.decision === "permit" ? "success" : "denied",
    occurredAt: d.occurredAt,
    actor: { email: request.requester.user, trustId: snapshot.trustIds.get(request.requester.trust) ?? null, role: resolved.requester.roles[0] ?? null },
    sourceTrustId: snapshot.trustIds.get(request.study.sourceTrust) ?? null,
    access: {
      patientNhsNumber: request.study.patientNhsNumber ?? null,
      studyInstanceUid: request.study.studyInstanceUid ?? null,
      modality: request.study.modality,
      purpose: request.purpose,
      policy: decision.policy,
      breakGlassJustification: request.breakGlassJustification,
    },
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
    client: { ip: d.context.ip, userAgent: d.context.userAgent },
  };
}

/**
 * Queues the audit events of decisions already answered. They are written together, in one
 * transaction per batch, just after the answer leaves: the PACS does not wait for the audit trail.
 */
export function queueDecisionAudit(decided: readonly Decided[], snapshot: PolicySnapshot): void {
  for (const d of decided) queue.push(decisionEvent(d, snapshot));
  if (queue.length >= maxBatch) void flushDecisionAudit();
  else scheduled ??= setTimeout(() => void flushDecisionAudit(), 20);
}

/** Writes every queued decision event now (tests and shutdown await it). A failed batch is retried, then re-queued. */
export async function flushDecisionAudit(): Promise<void> {
  if (scheduled) clearTimeout(scheduled);
  scheduled = undefined;
  while (flushing) await flushing;
  if (queue.length === 0) return;
  const batch = queue.splice(0, queue.length);
  flushing = (async () => {
    for (let start = 0; start < batch.length; start += maxBatch) {
      const slice = batch.slice(start, start + maxBatch);
      for (let attempt = 1; ; attempt++) {
        try {
          await withSystem(async (tx) => {
            for (const event of slice) await recordAuditEvent(tx, event);
          });
          break;
        } catch (error) {
          if (attempt >= 2) {
            // Kept for the next flush rather than dropped (up to a bound, so that a database outage
            // cannot exhaust memory); the outage itself is logged.
            console.error(`[mosaic] could not write ${slice.length} access-decision audit events; retrying in 1 s`, error);
            if (queue.length < maxQueued) queue.unshift(...slice);
            scheduled ??= setTimeout(() => void flushDecisionAudit(), 1000);
            break;
          }
        }
      }
    }
  })().finally(() => {
    flushing = undefined;
  });
  await flushing;
}

/** How many decision events wait to be written. */
export function pendingDecisionAudit(): number {
  return queue.length;
}
