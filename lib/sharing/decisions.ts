import "server-only";
import type { PolicySnapshot } from "./cache";
import { policySetCache } from "./cache";
import { auditDecisions, type DecisionAuditContext } from "./decision-audit";
import { decide, type Decision, type DecisionRequest } from "./engine";
import type { AccessDecisionRequest } from "./schemas";

/** The requester's roles at their claimed trust now (roles there, or consortium-wide), and their status. */
export function resolveRequest(snapshot: PolicySnapshot, request: AccessDecisionRequest, now: Date): DecisionRequest {
  const user = snapshot.users.get(request.requester.user);
  const t = now.getTime();
  const roles = user
    ? [...new Set(user.roles.filter((r) => (r.trust === null || r.trust === request.requester.trust) && r.from <= t && t < r.until).map((r) => r.role))]
    : [];
  return {
    requester: { user: request.requester.user, trust: request.requester.trust, status: user?.status ?? null, roles },
    study: request.study,
    purpose: request.purpose,
    patientEpisodeTrusts: request.patientEpisodeTrusts,
    breakGlassJustification: request.breakGlassJustification,
  };
}

/** The machine API's answer for one request (DESIGN.md "Machine API shapes"). */
export type DecisionAnswer = { decision: Decision["decision"]; policy: Decision["policy"]; reasons: Decision["reasons"]; breakGlass: boolean };

/**
 * Decides requests against this instance's compiled policy set (or the snapshot given, which the
 * caller checked the requests against), and returns once every decision is committed to the audit
 * trail (written together with other requests' decisions: decision-audit.ts). Throws
 * DecisionAuditUnavailableError, and answers nothing, if the audit trail could not store them, and
 * UNAUTHENTICATED if `context.apiKeyId` was no longer valid when they were written.
 */
export async function decideAccess(
  requests: readonly AccessDecisionRequest[],
  context: DecisionAuditContext,
  now = new Date(),
  given?: PolicySnapshot,
): Promise<DecisionAnswer[]> {
  const snapshot = given ?? (await policySetCache.get());
  const answers = requests.map((request) => {
    const resolved = resolveRequest(snapshot, request, now);
    const d = decide(snapshot.set, resolved, now);
    return { request, resolved, decision: d };
  });
  await auditDecisions(
    answers.map((a) => ({ ...a, occurredAt: now, context })),
    snapshot,
  );
  return answers.map(({ decision: d }) => ({ decision: d.decision, policy: d.policy, reasons: d.reasons, breakGlass: d.breakGlass }));
}
