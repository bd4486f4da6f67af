import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import { passwordTokens, userSessions, users } from "@/db/schema";
import { roleFor, type Ctx } from "@/lib/auth/context";
import { actorOf, recordAuditEvent } from "@/lib/audit/record";
import { withSystem, withSystemScopeWithin, type Tx } from "@/lib/db/scope";
import { validationError } from "@/lib/errors";
import { toResult } from "@/lib/result";
import { AppError } from "@/lib/errors";
import { hashPassword } from "./passwords";
import { newPasswordInput, passwordProblem } from "./password-policy";

/** How long a link lasts: a week for a new person, a day for a reset. */
const linkLifetimeHours = { invite: 7 * 24, reset: 24 } as const;

/** The stored form of a token: its SHA-256. The token has 256 random bits, so a fast hash is enough. */
function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Makes a single-use set-password link for a person inside the caller's transaction and returns
 * the token (to show once). Earlier unused links of the person die, so only the newest works.
 */
export async function issuePasswordToken(
  tx: Tx,
  ctx: Ctx,
  user: { id: string; homeTrustId: string | null },
  purpose: "invite" | "reset",
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const now = new Date();
  const expiresAt = new Date(now.getTime() + linkLifetimeHours[purpose] * 3_600_000);
  // Links of the person made at other trusts die too: widen scope for this one update.
  await withSystemScopeWithin(tx, () =>
    tx.update(passwordTokens).set({ usedAt: now }).where(and(eq(passwordTokens.userId, user.id), isNull(passwordTokens.usedAt))),
  );
  await tx.insert(passwordTokens).values({ trustId: user.homeTrustId, userId: user.id, tokenHash: hashToken(token), purpose, createdBy: ctx.userId, expiresAt });
  await recordAuditEvent(tx, {
    action: "user.password_link",
    actor: actorOf(ctx, roleFor(ctx, "users.write", user.homeTrustId)),
    sourceTrustId: user.homeTrustId,
    target: { type: "user", id: user.id },
    details: { purpose, expiresAt: expiresAt.toISOString() },
    client: ctx.client,
  });
  return { token, expiresAt };
}

/** The person a link is for, if it is unused, unexpired and their account active (for the page's greeting). */
export async function inspectPasswordToken(token: string): Promise<{ name: string; email: string; purpose: string } | null> {
  if (token.length < 20 || token.length > 200) return null;
  return withSystem(async (tx) => {
    const [row] = await tx
      .select({ name: users.name, email: users.email, purpose: passwordTokens.purpose })
      .from(passwordTokens)
      .innerJoin(users, eq(users.id, passwordTokens.userId))
      .where(and(eq(passwordTokens.tokenHash, hashToken(token)), isNull(passwordTokens.usedAt), gt(passwordTokens.expiresAt, new Date()), eq(users.status, "active")));
    return row ?? null;
  });
}

const deadLink = () => new AppError("VALIDATION", "This link has expired or has been used. Ask your PACS manager for a new one.", { fieldErrors: { token: ["This link has expired or has been used."] } });

/**
 * Sets a password through a link: the link is used up atomically (a second use finds nothing), the
 * password must pass the policy, any lockout ends, and the person's open sessions end.
 */
export function setPasswordWithToken(input: unknown, client: { ip: string | null; userAgent: string | null }) {
  return toResult(async () => {
    const parsed = newPasswordInput.safeParse(input);
    if (!parsed.success) throw validationError(parsed.error);
    const { token, password } = parsed.data;
    const person = await inspectPasswordToken(token);
    if (!person) throw deadLink();
    const problem = passwordProblem(password, person);
    if (problem) throw new AppError("VALIDATION", problem, { fieldErrors: { password: [problem] } });
    const passwordHash = await hashPassword(password);
    return withSystem(async (tx) => {
      const now = new Date();
      const [used] = await tx
        .update(passwordTokens)
        .set({ usedAt: now })
        .where(and(eq(passwordTokens.tokenHash, hashToken(token)), isNull(passwordTokens.usedAt), gt(passwordTokens.expiresAt, now)))
        .returning({ userId: passwordTokens.userId, purpose: passwordTokens.purpose });
      if (!used) throw deadLink();
      const [user] = await tx
        .update(users)
        .set({ passwordHash, failedSignIns: 0, lockedUntil: null, updatedAt: now })
        .where(and(eq(users.id, used.userId), eq(users.status, "active")))
        .returning({ id: users.id, email: users.email, homeTrustId: users.homeTrustId, lockedUntil: users.lockedUntil });
      if (!user) throw deadLink();
      const sessions = await tx
        .update(userSessions)
        .set({ endedAt: now, endReason: "password_set" })
        .where(and(eq(userSessions.userId, user.id), isNull(userSessions.endedAt)))
        .returning({ id: userSessions.id });
      await recordAuditEvent(tx, {
        action: "user.password_set",
        actor: { userId: user.id, email: user.email, trustId: user.homeTrustId },
        sourceTrustId: user.homeTrustId,
        target: { type: "user", id: user.id },
        details: { purpose: used.purpose, endedSessions: sessions.length },
        client,
      });
      return { email: user.email };
    });
  });
}
