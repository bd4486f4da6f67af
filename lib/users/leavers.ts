import "server-only";
import { and, eq, gt, isNotNull, isNull, lte, ne, or } from "drizzle-orm";
import { passwordTokens, roleAssignments, userSessions, users } from "@/db/schema";
import { recordAuditEvent, type AuditInput } from "@/lib/audit/record";
import { withSystem, withSystemScopeWithin, type Tx } from "@/lib/db/scope";

type Leaving = { id: string; status: string; homeTrustId: string | null };
type Client = { ip: string | null; userAgent: string | null } | null | undefined;

/**
 * Makes a person a leaver inside the caller's transaction: status "left", every role they hold at
 * any trust ends, every session ends and every unused set-password link dies; a leaving date set
 * earlier is cleared (the audit event keeps it). Audited as user.leaver in the home trust's chain
 * and a role.revoke in each role's trust's chain. Shared by "mark as leaver" and the leaving date.
 */
export async function leaveInTx(
  tx: Tx,
  user: Leaving,
  // `now`: when the roles and sessions end (the leaving instant, for a leaving date).
  opts: { actor: AuditInput["actor"]; revokedBy: string | null; client?: Client; reason?: string; now?: Date },
): Promise<{ endedRoles: number; endedSessions: number }> {
  const now = opts.now ?? new Date();
  const client = opts.client ?? undefined;
  // Roles and sessions of every trust, and the person's row whatever the caller's scope: the
  // caller has been allowed to make this person a leaver (their home trust's manager, or the job).
  const { ended, sessions, leavesAt } = await withSystemScopeWithin(tx, async () => {
    const [before] = await tx.select({ leavesAt: users.leavesAt }).from(users).where(eq(users.id, user.id));
    await tx.update(users).set({ status: "left", leavesAt: null, updatedAt: now }).where(eq(users.id, user.id));
    const roles = await tx
      .update(roleAssignments)
      .set({ revokedAt: now, revokedBy: opts.revokedBy })
      .where(and(eq(roleAssignments.userId, user.id), isNull(roleAssignments.revokedAt), or(isNull(roleAssignments.validUntil), gt(roleAssignments.validUntil, now))))
      .returning({ id: roleAssignments.id, role: roleAssignments.role, trustId: roleAssignments.trustId });
    await tx.update(passwordTokens).set({ usedAt: now }).where(and(eq(passwordTokens.userId, user.id), isNull(passwordTokens.usedAt)));
    const endReason = "user_left";
    const closed = await tx
      .update(userSessions)
      .set({ endedAt: now, endReason })
      .where(and(eq(userSessions.userId, user.id), isNull(userSessions.endedAt)))
      .returning({ id: userSessions.id });
    return { ended: roles, sessions: closed.length, leavesAt: before?.leavesAt ?? null };
  });
  await recordAuditEvent(tx, {
    action: "user.leaver",
    actor: opts.actor,
    sourceTrustId: user.homeTrustId,
    target: { type: "user", id: user.id },
    details: {
      before: { status: user.status, ...(leavesAt ? { leavesAt: leavesAt.toISOString() } : {}) },
      after: { status: "left" },
      ...(opts.reason ? { reason: opts.reason } : {}),
      endedRoles: ended.length,
      endedSessions: sessions,
    },
    client,
  });
  // A role at another trust is audited in that trust's chain, which the database lets only a
  // scope covering it append to (0017_audit_chain_isolation.sql): widened as the revocation was.
  await withSystemScopeWithin(tx, async () => {
    for (const role of ended) {
      await recordAuditEvent(tx, {
        action: "role.revoke",
        actor: opts.actor,
        sourceTrustId: role.trustId,
        target: { type: "user", id: user.id },
        details: { assignmentId: role.id, role: role.role, trustId: role.trustId, reason: "leaver", before: { revokedAt: null }, after: { revokedAt: now.toISOString() } },
        client,
      });
    }
  });
  return { endedRoles: ended.length, endedSessions: sessions };
}

/**
 * Makes every person whose leaving date has come (leaves_at at or before `now`) a leaver, each in
 * its own transaction, audited as done by the system for the reason "leaving_date". The jobs
 * runner calls it every few minutes; sign-in and sessions already treat such a person as a leaver
 * (lib/auth/sign-in.ts), so the gap until it runs lets no one in. Safe to run twice.
 */
export async function applyDueLeavers(now = new Date()): Promise<{ left: string[] }> {
  const due = await withSystem((tx) =>
    tx
      .select({ id: users.id })
      .from(users)
      .where(and(isNotNull(users.leavesAt), lte(users.leavesAt, now), ne(users.status, "left")))
      .limit(10_000),
  );
  const left: string[] = [];
  for (const { id } of due) {
    const done = await withSystem(async (tx) => {
      // Locked and read again: a manager may have cleared the date or marked them meanwhile.
      const [user] = await tx
        .select({ id: users.id, status: users.status, homeTrustId: users.homeTrustId, leavesAt: users.leavesAt })
        .from(users)
        .where(and(eq(users.id, id), isNotNull(users.leavesAt), lte(users.leavesAt, now), ne(users.status, "left")))
        .for("update");
      if (!user?.leavesAt) return false;
      // Roles and sessions end at the leaving instant itself, not when the job came round.
      await leaveInTx(tx, user, { actor: { userId: null, email: null, trustId: null, role: null }, revokedBy: null, reason: "leaving_date", now: user.leavesAt });
      return true;
    });
    if (done) left.push(id);
  }
  return { left };
}
