import "server-only";
import { z } from "zod";
import type { ApiCaller } from "@/lib/api-caller";
import { apiIssues, type ApiIssue } from "@/lib/api-issues";
import { maxDecisionBatch } from "@/lib/limits";
import { AppError } from "@/lib/errors";
import { policySetCache } from "./cache";
import { decideAccess, type DecisionAnswer } from "./decisions";
import { accessDecisionRequest, type AccessDecisionRequest } from "./schemas";

export const accessDecisionBatch = z.object({
  requests: z.array(accessDecisionRequest).min(1, "requests must hold at least one request.").max(maxDecisionBatch, `A batch holds at most ${maxDecisionBatch} requests.`),
});

const reason = z.object({ code: z.string(), message: z.string() });
export const accessDecisionAnswer = z.object({
  decision: z.enum(["permit", "deny", "break_glass_required"]),
  policy: z.object({ id: z.uuid(), version: z.number().int() }).nullable(),
  reasons: z.array(reason),
  breakGlass: z.boolean().describe("true when the permit came by break-glass: flag the access for review"),
});
export const accessDecisionBatchAnswer = z.object({ decisions: z.array(accessDecisionAnswer) });

function refuse(issues: ApiIssue[]): never {
  const first = issues[0];
  const where = first ? (first.item !== undefined ? `item ${first.item}, field ${first.field}` : `field ${first.field}`) : "the body";
  throw new AppError("VALIDATION", `Invalid request: ${where}: ${first?.message ?? "invalid"}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""}.`, { issues });
}

/**
 * Answers one access-decision request, or a batch `{ requests: [...] }`, for a machine caller.
 * ODS codes must name trusts of the consortium; a client of one trust asks only for its own staff.
 * Returns only once every decision is committed to the audit trail (DecisionAuditUnavailableError if
 * not), in a transaction that confirmed the caller's key still valid (UNAUTHENTICATED if not).
 */
export async function answerAccessDecisions(caller: ApiCaller, body: unknown, context: { ip: string | null; userAgent: string | null; requestId: string | null }) {
  const isBatch = typeof body === "object" && body !== null && !Array.isArray(body) && "requests" in body;
  const parsed = isBatch ? accessDecisionBatch.safeParse(body) : accessDecisionRequest.safeParse(body);
  if (!parsed.success) refuse(apiIssues(parsed.error, isBatch ? "requests" : undefined));
  const requests: AccessDecisionRequest[] = isBatch ? (parsed.data as z.output<typeof accessDecisionBatch>).requests : [parsed.data as AccessDecisionRequest];

  const snapshot = await policySetCache.get();
  const issues: ApiIssue[] = [];
  requests.forEach((r, i) => {
    const at = (field: string) => (isBatch ? { path: `requests.${i}.${field}`, item: i, field } : { path: field, field });
    const requesterTrustId = snapshot.trustIds.get(r.requester.trust);
    if (!requesterTrustId) issues.push({ ...at("requester.trust"), message: `no trust with ODS code ${r.requester.trust}` });
    if (!snapshot.trustIds.has(r.study.sourceTrust)) issues.push({ ...at("study.sourceTrust"), message: `no trust with ODS code ${r.study.sourceTrust}` });
    if (caller.trustId !== null && requesterTrustId && requesterTrustId !== caller.trustId) {
      throw new AppError("FORBIDDEN", "This API client may only ask about its own trust's staff.", { issues: [{ ...at("requester.trust"), message: "not this client's trust" }] });
    }
  });
  if (issues.length) refuse(issues);

  const answers: DecisionAnswer[] = await decideAccess(requests, { apiClientId: caller.clientId, apiKeyId: caller.keyId, ...context }, new Date(), snapshot);
  return isBatch ? { decisions: answers } : answers[0];
}
