import "server-only";
import { and, eq, gt, isNull, lt, lte, or, sql } from "drizzle-orm";
import { z } from "zod";
import { roleAssignments, userSessions, users } from "@/db/schema";
import type { AuditAction } from "@/lib/audit/actions";
import type { userStatuses } from "@/db/schema/identity";
import { recordAuditEvent } from "@/lib/audit/record";
import { withSystem, type Tx } from "@/lib/db/scope";
import { env } from "@/lib/env";
import { consumeRateLimit, type RateLimited } from "@/lib/rate-limit";
import { checkSecondFactor, isMfaRequiredForPortalRoles, needsEnrolment } from "@/lib/identity/mfa";
import { dummyPasswordHash, verifyPassword } from "@/lib/identity/passwords";
import { credentialsInput } from "./schemas";

export type ClientInfo = { ip: string | null; userAgent: string | null };

export type SignInResult =
  | { ok: true; userId: string; sessionId: string; email: string; name: string }
  | { ok: false; reason: "invalid" | "locked" | "inactive" | "mfa_required" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

/**
 * A person's status as of this transaction: a leaver once their leaving date has come (users.leaves_at,
 * lib/users/leavers.ts), even before the jobs runner records the change, so that neither a sign-in
 * nor a session outlives it.
 */
const statusNow = sql<(typeof userStatuses)[number]>`case when ${users.leavesAt} <= now() then 'left' else ${users.status} end`;

/**
 * Checks an email and password. Every attempt is an audit event; repeated failures lock the
 * account for a while (the lock is audited too). On success a server-side session is opened.
 *
 * Invariant: at most SIGN_IN_MAX_FAILURES wrong guesses (password or second factor) are ever
 * evaluated for one account per lock period, however many attempts arrive at once. A guess is
 * counted as a failure before it is evaluated (a short transaction that holds the user row
 * FOR UPDATE), so parallel attempts cannot all read "not locked" and all be evaluated; a right
 * guess gives its reservation back. The outcome is recorded under the row lock again, and a session is only
 * opened if no lock was set while the password was being verified.
 *
 * Before any of that, the attempt counts against the per-account (the normalised email, known or
 * not) and per-address rate limits; an attempt over either is refused unevaluated.
 */
export async function signInWithPassword(input: unknown, client: ClientInfo): Promise<SignInResult> {
  const parsed = credentialsInput.safeParse(input);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const { email, password, code } = parsed.data;
  const { SIGN_IN_MAX_FAILURES, SIGN_IN_LOCKOUT_MINUTES } = env();

  // Counted before and outside the transaction (lib/rate-limit.ts), for good whatever follows.
  // A refused attempt is not evaluated, and the account is not even looked up.
  const limited = await signInRateLimit(email, client);
  if (limited) {
    await auditRateLimited(limited, email, client);
    return { ok: false, reason: "rate_limited", retryAfterSeconds: Math.max(...limited.map((r) => r.retryAfterSeconds)) };
  }
  const reservation = await withSystem(async (tx) => {
    const [user] = await tx
      .select({ id: users.id, homeTrustId: users.homeTrustId, passwordHash: users.passwordHash, failedSignIns: users.failedSignIns, lockedUntil: users.lockedUntil })
      .from(users)
      .where(eq(users.email, email))
      .for("update");
    if (!user) return { kind: "unknown" } as const;
    const audit = auditFor(tx, user, email, client);
    const now = new Date();
    if (user.lockedUntil && user.lockedUntil > now) {
      await audit("auth.sign_in_failed", "denied", { reason: "locked", lockedUntil: user.lockedUntil.toISOString() });
      return { kind: "refused", userId: user.id } as const;
    }
    if (user.lockedUntil) {
      // The lock has run out: record its end now, whatever this attempt's outcome.
      await tx.update(users).set({ lockedUntil: null, failedSignIns: 0 }).where(eq(users.id, user.id));
      await audit("auth.unlocked", "success", { reason: "lock_expired", lockedUntil: user.lockedUntil.toISOString() });
      user.failedSignIns = 0;
    }
    if (user.failedSignIns >= SIGN_IN_MAX_FAILURES) {
      // Every guess left in this period is already being evaluated by attempts in flight; one of
      // them sets the lock. This one is not evaluated at all.
      await audit("auth.sign_in_failed", "denied", { reason: "locked", guessesInFlight: user.failedSignIns });
      return { kind: "refused", userId: user.id } as const;
    }
    const [reserved] = await tx
      .update(users)
      .set({ failedSignIns: sql`${users.failedSignIns} + 1` })
      .where(eq(users.id, user.id))
      .returning({ failedSignIns: users.failedSignIns });
    return { kind: "reserved", userId: user.id, passwordHash: user.passwordHash, guess: reserved?.failedSignIns ?? SIGN_IN_MAX_FAILURES } as const;
  });
  if (reservation.kind === "refused") return { ok: false, reason: "locked" };

  // Outside any transaction: argon2 takes tens of milliseconds and must not hold a connection.
  // An unknown email is verified against a dummy hash so that it takes as long as a known one.
  const storedHash = reservation.kind === "reserved" ? reservation.passwordHash : null;
  const passwordOk = await verifyPassword(storedHash ?? (await dummyPasswordHash()), password);

  return withSystem(async (tx) => {
    if (reservation.kind === "unknown") {
      await auditFor(tx, null, email, client)("auth.sign_in_failed", "denied", { reason: "unknown_email" });
      return { ok: false, reason: "invalid" } as const;
    }
    const [user] = await tx
      .select({
        id: users.id,
        name: users.name,
        homeTrustId: users.homeTrustId,
        status: statusNow,
        lockedUntil: users.lockedUntil,
        totpSecret: users.totpSecret,
        totpConfirmedAt: users.totpConfirmedAt,
        totpLastStep: users.totpLastStep,
      })
      .from(users)
      .where(eq(users.id, reservation.userId))
      .for("update");
    if (!user) throw new Error("the user row vanished during sign-in"); // users are never deleted
    const audit = auditFor(tx, user, email, client);
    const now = new Date();

    // The failure was counted when the guess was reserved. The attempt that took the last guess
    // of the period sets the lock, so exactly one lock follows SIGN_IN_MAX_FAILURES failures.
    const fail = async (reason: string) => {
      await audit("auth.sign_in_failed", "denied", { reason, failures: reservation.guess });
      if (reservation.guess < SIGN_IN_MAX_FAILURES) return { ok: false, reason: "invalid" } as const;
      const lockedUntil = new Date(now.getTime() + SIGN_IN_LOCKOUT_MINUTES * 60_000);
      await tx.update(users).set({ lockedUntil, failedSignIns: 0 }).where(eq(users.id, user.id));
      await audit("auth.locked", "success", { until: lockedUntil.toISOString(), failures: reservation.guess });
      return { ok: false, reason: "locked" } as const;
    };
    // A right password is not a failure: give the reserved guess back (never below zero: a lock or
    // a success in between has reset the count already).
    const release = () => tx.update(users).set({ failedSignIns: sql`greatest(${users.failedSignIns} - 1, 0)` }).where(eq(users.id, user.id));

    if (!passwordOk) return fail("bad_password");
    if (user.lockedUntil && user.lockedUntil > now) {
      // Locked by a parallel attempt while this password was verified: no session while locked.
      await audit("auth.sign_in_failed", "denied", { reason: "locked", lockedUntil: user.lockedUntil.toISOString() });
      return { ok: false, reason: "locked" } as const;
    }
    if (user.status !== "active") {
      await release();
      await audit("auth.sign_in_failed", "denied", { reason: `user_${user.status}` });
      return { ok: false, reason: "inactive" } as const;
    }
    let method = "password";
    if (user.totpConfirmedAt) {
      // The password was right; ask for the second factor without counting a failure.
      if (!code) {
        await release();
        return { ok: false, reason: "mfa_required" } as const;
      }
      const second = await checkSecondFactor(tx, user, code);
      if (!second.ok) return fail("bad_second_factor");
      method = `password+${second.method}`;
    }
    const session = await openSession(tx, { id: user.id, email, homeTrustId: user.homeTrustId }, client, { method });
    return { ok: true, userId: user.id, sessionId: session.id, email, name: user.name } as const;
  });
}

/** Counts a sign-in attempt against its account's (the normalised email, known or not) and its address's limits. */
async function signInRateLimit(email: string, client: ClientInfo): Promise<RateLimited[] | null> {
  // Without a known address (no proxy header) only the account's limit applies.
  const refusals = (await Promise.all([consumeRateLimit("signInAccount", email), client.ip ? consumeRateLimit("signInAddress", client.ip) : null])).filter(
    (r): r is RateLimited => r !== null,
  );
  return refusals.length ? refusals : null;
}

/** Audits the first refusal of each limit's window, not later ones: a flood must not become a flood of audit rows. */
async function auditRateLimited(refusals: RateLimited[], email: string, client: ClientInfo): Promise<void> {
  const first = refusals.filter((r) => r.isFirstRefusal);
  if (!first.length) return;
  await withSystem(async (tx) => {
    for (const { limit, points, windowSeconds, retryAfterSeconds } of first) {
      await auditFor(tx, null, email, client)("auth.rate_limited", "denied", { limit, points, windowSeconds, retryAfterSeconds });
    }
  });
}

/** Records a sign-in step of this person (or of an unknown email, user null) in `tx`. */
function auditFor(tx: Tx, user: { id: string; homeTrustId: string | null } | null, email: string, client: ClientInfo) {
  const actor = { userId: user?.id ?? null, email, trustId: user?.homeTrustId ?? null, role: null };
  return (action: AuditAction, outcome: "success" | "denied", details?: Record<string, unknown>) =>
    recordAuditEvent(tx, { action, outcome, actor, sourceTrustId: user?.homeTrustId ?? null, target: user ? { type: "user", id: user.id } : undefined, details, client });
}

/**
 * Opens a server-side session for a person whose sign-in succeeded (any method), clears their
 * failure count and lock, and records the sign-in with `details`, inside the caller's transaction.
 */
export async function openSession(
  tx: Tx,
  user: { id: string; email: string; homeTrustId: string | null },
  client: ClientInfo,
  details: Record<string, unknown>,
): Promise<{ id: string }> {
  const now = new Date();
  await tx.update(users).set({ failedSignIns: 0, lockedUntil: null, lastSignInAt: now }).where(eq(users.id, user.id));
  const [session] = await tx
    .insert(userSessions)
    .values({ userId: user.id, expiresAt: new Date(now.getTime() + env().SESSION_MAX_HOURS * 3_600_000), ip: client.ip, userAgent: client.userAgent })
    .returning({ id: userSessions.id });
  if (!session) throw new Error("session insert returned no row");
  await recordAuditEvent(tx, {
    action: "auth.sign_in",
    actor: { userId: user.id, email: user.email, trustId: user.homeTrustId, role: null },
    sourceTrustId: user.homeTrustId,
    target: { type: "user", id: user.id },
    details: { ...details, sessionId: session.id },
    client,
  });
  return session;
}

export type SessionUser = {
  userId: string;
  email: string;
  name: string;
  homeTrustId: string | null;
  sessionId: string;
  roles: { role: string; trustId: string | null }[];
  /** The consortium requires a second factor of this person and they have none yet: enrolment only. */
  needsMfaEnrolment: boolean;
};

/**
 * Loads a live session: not ended, not past its absolute expiry, used within the idle timeout,
 * and its user still active. Anything else ends it here, so a suspended user is out on their next
 * request. Every request it loads for restarts the idle clock (last_seen_at).
 */
export async function loadSession(sessionId: string): Promise<SessionUser | null> {
  if (!z.uuid().safeParse(sessionId).success) return null;
  const { SESSION_IDLE_MINUTES } = env();
  return withSystem(async (tx) => {
    const now = new Date();
    // The session, the roles of its user and the consortium's MFA rule are asked for at once: one
    // round trip instead of three on every request (postgres.js pipelines them on the transaction's
    // connection). The roles are read by the session's user id, so they need not wait for the row.
    const sessionRow = tx
      .select({
        sessionId: userSessions.id,
        lastSeenAt: userSessions.lastSeenAt,
        expiresAt: userSessions.expiresAt,
        endedAt: userSessions.endedAt,
        userId: users.id,
        email: users.email,
        name: users.name,
        homeTrustId: users.homeTrustId,
        status: statusNow,
        totpConfirmedAt: users.totpConfirmedAt,
      })
      .from(userSessions)
      .innerJoin(users, eq(users.id, userSessions.userId))
      .where(eq(userSessions.id, sessionId));
    const roleRows = tx
      .select({ role: roleAssignments.role, trustId: roleAssignments.trustId })
      .from(roleAssignments)
      .where(
        and(
          eq(roleAssignments.userId, tx.select({ userId: userSessions.userId }).from(userSessions).where(eq(userSessions.id, sessionId))),
          isNull(roleAssignments.revokedAt),
          lte(roleAssignments.validFrom, now),
          or(isNull(roleAssignments.validUntil), gt(roleAssignments.validUntil, now)),
        ),
      );
    const [[row], roles, mfaRequired] = await Promise.all([sessionRow, roleRows, isMfaRequiredForPortalRoles(tx)]);
    if (!row || row.endedAt) return null;
    const idleSince = now.getTime() - row.lastSeenAt.getTime();
    const endReason =
      row.status !== "active" ? `user_${row.status}` : row.expiresAt <= now ? "expired" : idleSince > SESSION_IDLE_MINUTES * 60_000 ? "idle" : null;
    if (endReason) {
      await tx.update(userSessions).set({ endedAt: now, endReason }).where(and(eq(userSessions.id, sessionId), isNull(userSessions.endedAt)));
      await recordAuditEvent(tx, {
        action: "auth.session_ended",
        actor: { userId: row.userId, email: row.email, trustId: row.homeTrustId },
        sourceTrustId: row.homeTrustId,
        target: { type: "user", id: row.userId },
        details: { sessionId, reason: endReason },
      });
      return null;
    }
    // The idle clock restarts at this request, exactly: a touch at most once a minute left
    // last_seen_at up to a minute behind the last request, so the session ended up to a minute
    // early. A request that finishes after a later one never moves it back.
    await tx.update(userSessions).set({ lastSeenAt: now }).where(and(eq(userSessions.id, sessionId), lt(userSessions.lastSeenAt, now)));
    const needsMfaEnrolment = needsEnrolment(mfaRequired, roles, Boolean(row.totpConfirmedAt));
    return { userId: row.userId, email: row.email, name: row.name, homeTrustId: row.homeTrustId, sessionId: row.sessionId, roles, needsMfaEnrolment };
  });
}

/** Ends a session (sign-out) and records it. */
export async function endSession(sessionId: string, reason: string, client: ClientInfo | null = null): Promise<void> {
  if (!z.uuid().safeParse(sessionId).success) return;
  await withSystem(async (tx) => {
    const [ended] = await tx
      .update(userSessions)
      .set({ endedAt: new Date(), endReason: reason })
      .where(and(eq(userSessions.id, sessionId), isNull(userSessions.endedAt)))
      .returning({ userId: userSessions.userId });
    if (!ended) return;
    const [user] = await tx.select({ email: users.email, homeTrustId: users.homeTrustId }).from(users).where(eq(users.id, ended.userId));
    await recordAuditEvent(tx, {
      action: reason === "sign_out" ? "auth.sign_out" : "auth.session_ended",
      actor: { userId: ended.userId, email: user?.email ?? null, trustId: user?.homeTrustId ?? null },
      sourceTrustId: user?.homeTrustId ?? null,
      target: { type: "user", id: ended.userId },
      details: { sessionId, reason },
      client: client ?? undefined,
    });
  });
}
