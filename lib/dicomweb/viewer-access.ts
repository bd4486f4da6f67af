import "server-only";
import type { Ctx } from "@/lib/auth/context";
import { actorOf, recordAuditEvent } from "@/lib/audit/record";
import { withTenant } from "@/lib/db/scope";
import { AppError } from "@/lib/errors";
import { issueViewerToken } from "./viewer-token";

/**
 * Issues the signed-in person a viewer token for the DICOMweb gateway, bound to their session. The
 * issue is an audit event, committed before the token is handed over; the token itself is never stored.
 */
export async function issueViewerTokenFor(ctx: Ctx): Promise<{ token: string; expiresAt: Date }> {
  if (!ctx.sessionId) throw new AppError("UNAUTHENTICATED", "Sign in again to get a viewer token.");
  const issued = await issueViewerToken(ctx.userId, ctx.sessionId);
  await withTenant(ctx, (tx) =>
    recordAuditEvent(tx, {
      action: "auth.viewer_token_issued",
      actor: actorOf(ctx, null),
      sourceTrustId: ctx.homeTrustId,
      details: { sessionId: ctx.sessionId!, expiresAt: issued.expiresAt.toISOString() },
      client: ctx.client,
    }),
  );
  return issued;
}
