import "server-only";
import { and, eq, gt, isNull, lte, or } from "drizzle-orm";
import { z } from "zod";
import { roleAssignments, users } from "@/db/schema";
import { recordAuditEvent } from "@/lib/audit/record";
import { withSystem } from "@/lib/db/scope";
import { openSession, type ClientInfo } from "./sign-in";

const claimsInput = z.object({
  issuer: z.string().url(),
  subject: z.string().min(1).max(255),
  email: z.string().trim().toLowerCase().email().optional(),
  emailVerified: z.boolean().optional(),
  selectedRoleCode: z.string().trim().max(32).optional(),
});

export type SsoResult = { ok: true; userId: string; sessionId: string } | { ok: false; reason: "unknown_user" | "inactive" | "invalid" };

/**
 * Signs in a person whom the OpenID Connect provider vouched for. They are matched to an existing
 * account, never created: first by the linked identity (issuer and subject), else by a verified
 * email, which then links the identity for next time. The national RBAC code the person selected
 * (CIS2) is matched to their role assignments and written into the audit event.
 */
export async function signInWithOidc(input: unknown, client: ClientInfo): Promise<SsoResult> {
  const parsed = claimsInput.safeParse(input);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const { issuer, subject, email, emailVerified, selectedRoleCode } = parsed.data;
  const externalSubject = `${issuer}|${subject}`;
  return withSystem(async (tx) => {
    const columns = { id: users.id, email: users.email, homeTrustId: users.homeTrustId, status: users.status, externalSubject: users.externalSubject };
    let [user] = await tx.select(columns).from(users).where(eq(users.externalSubject, externalSubject));
    let linked = false;
    if (!user && email && emailVerified !== false) {
      [user] = await tx.select(columns).from(users).where(and(eq(users.email, email), isNull(users.externalSubject)));
      linked = Boolean(user);
    }
    const fail = async (reason: "unknown_user" | "inactive", details: Record<string, unknown>) => {
      await recordAuditEvent(tx, {
        action: "auth.sign_in_failed",
        outcome: "denied",
        actor: { userId: user?.id ?? null, email: user?.email ?? email ?? null, trustId: user?.homeTrustId ?? null },
        sourceTrustId: user?.homeTrustId ?? null,
        target: user ? { type: "user", id: user.id } : undefined,
        details: { method: "oidc", issuer, subject, ...details },
        client,
      });
      return { ok: false, reason } as const;
    };
    if (!user) return fail("unknown_user", { reason: "no_matching_account" });
    if (user.status !== "active") return fail("inactive", { reason: `user_${user.status}` });
    if (linked) {
      await tx.update(users).set({ externalSubject, updatedAt: new Date() }).where(eq(users.id, user.id));
      await recordAuditEvent(tx, {
        action: "auth.sso_linked",
        actor: { userId: user.id, email: user.email, trustId: user.homeTrustId },
        sourceTrustId: user.homeTrustId,
        target: { type: "user", id: user.id },
        details: { issuer, subject, matchedBy: "email" },
        client,
      });
    }
    let matchedAssignment: string | null = null;
    if (selectedRoleCode) {
      const now = new Date();
      const [assignment] = await tx
        .select({ id: roleAssignments.id })
        .from(roleAssignments)
        .where(
          and(
            eq(roleAssignments.userId, user.id),
            eq(roleAssignments.jobRoleCode, selectedRoleCode),
            isNull(roleAssignments.revokedAt),
            lte(roleAssignments.validFrom, now),
            or(isNull(roleAssignments.validUntil), gt(roleAssignments.validUntil, now)),
          ),
        )
        .limit(1);
      matchedAssignment = assignment?.id ?? null;
    }
    const session = await openSession(tx, user, client, {
      method: "oidc",
      issuer,
      subject,
      ...(selectedRoleCode ? { jobRoleCode: selectedRoleCode, roleAssignmentId: matchedAssignment } : {}),
    });
    return { ok: true, userId: user.id, sessionId: session.id };
  });
}
