import "server-only";
import { AppError } from "@/lib/errors";
// The audit trail of access decisions, by group commit (lib/audit/group-commit.ts): a decision is not
// answered before its audit event is committed, and a batch that fails answers none of its requests
// (the route answers 503). The batch also confirms the API keys its requests came with (the route
// takes them from a cache of verified keys, lib/api-clients/key-cache.ts): a request whose key was
// revoked, rotated out or expired by the time its batch took the chain heads' locks is answered 401,
// and its events are not written.
import type { ChainedRow } from "@/lib/audit/append";
import { GroupCommit } from "@/lib/audit/group-commit";
import { apiKeyCache, confirmApiKeys, invalidApiKeyError } from "@/lib/api-clients/key-cache";
import { chainOf } from "@/lib/audit/chain";
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

// One queue for every decision of this process; the batch confirms the API keys the requests came with.
const decisionCommit = new GroupCommit({
  what: "access-decision",
  unavailable: (cause) => new DecisionAuditUnavailableError({ cause }),
  confirmKeys: confirmApiKeys,
  keyRefused: (keyIds) => {
    apiKeyCache.forgetKeys(keyIds);
    return invalidApiKeyError();
  },
});

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
  return decisionCommit.append(
    decided.map((d) => decisionEvent(d, snapshot)),
    { apiKeyId: decided[0]?.context.apiKeyId ?? null },
  );
}

/** Waits until every decision event queued so far is committed or refused (shutdown and tests). */
export function flushDecisionAudit(): Promise<void> {
  return decisionCommit.flush();
}
