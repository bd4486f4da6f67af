import { and, eq } from "drizzle-orm";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, userSessions, users } from "@/db/schema";
import { endSession, loadSession, signInWithPassword } from "@/lib/identity/sign-in";
import { confirmMfaEnrolment, startMfaEnrolment } from "@/lib/identity/mfa";
import { stepAt, totpCode } from "@/lib/identity/totp";
import { testDatabase } from "../helpers/database";
import { makeTrust, makeUser, ownerQuery, testPassword } from "../helpers/factories";

const client = { ip: "10.1.2.3", userAgent: "vitest" };

// This file is about the lockout, not the rate limits (tests/integration/rate-limit.test.ts): its
// floods of 30 attempts at one account from one address must all reach the lockout.
process.env.RATE_LIMIT_SIGN_IN_PER_ACCOUNT = "1000";
process.env.RATE_LIMIT_SIGN_IN_PER_ADDRESS = "1000";

async function eventsFor(userId: string) {
  return testDatabase()
    .db.select({ action: auditEvents.action, outcome: auditEvents.outcome, details: auditEvents.details, ip: auditEvents.ip })
    .from(auditEvents)
    .where(eq(auditEvents.actorUserId, userId))
    .orderBy(auditEvents.seq);
}

describe("signing in with a password", () => {
  it("opens a server-side session and records the sign-in", async () => {
    const trust = await makeTrust();
    const user = await makeUser([{ role: "pacs_manager", trustId: trust.id }]);
    const result = await signInWithPassword({ email: user.email.toUpperCase(), password: testPassword }, client);
    expect(result).toMatchObject({ ok: true, userId: user.userId });
    if (!result.ok) return;
    const session = await loadSession(result.sessionId);
    expect(session).toMatchObject({ userId: user.userId, roles: [{ role: "pacs_manager", trustId: trust.id }] });
    expect(await eventsFor(user.userId)).toEqual([expect.objectContaining({ action: "auth.sign_in", outcome: "success", ip: "10.1.2.3" })]);
  });

  it("refuses a wrong password and an unknown email, recording both", async () => {
    const user = await makeUser([]);
    expect(await signInWithPassword({ email: user.email, password: "wrong password!" }, client)).toEqual({ ok: false, reason: "invalid" });
    expect(await signInWithPassword({ email: "nobody@nowhere.example", password: "whatever" }, client)).toEqual({ ok: false, reason: "invalid" });
    expect((await eventsFor(user.userId)).map((e) => e.action)).toEqual(["auth.sign_in_failed"]);
    const unknown = await ownerQuery<{ n: number }>(sql`select count(*)::int as n from audit_events where actor_email = 'nobody@nowhere.example' and action = 'auth.sign_in_failed'`);
    expect(unknown[0]?.n).toBe(1);
  });

  it("locks the account after five failures, even for the right password, and records the lock", async () => {
    const user = await makeUser([]);
    for (let i = 0; i < 4; i++) expect(await signInWithPassword({ email: user.email, password: `guess ${i}` }, client)).toMatchObject({ reason: "invalid" });
    expect(await signInWithPassword({ email: user.email, password: "guess 5" }, client)).toMatchObject({ reason: "locked" });
    expect(await signInWithPassword({ email: user.email, password: testPassword }, client)).toMatchObject({ reason: "locked" });
    const actions = (await eventsFor(user.userId)).map((e) => e.action);
    expect(actions.filter((a) => a === "auth.locked")).toHaveLength(1);
    expect(actions.at(-1)).toBe("auth.sign_in_failed");

    // When the lock has run out, the right password works again and the unlock is recorded.
    await testDatabase().db.update(users).set({ lockedUntil: new Date(Date.now() - 1000) }).where(eq(users.id, user.userId));
    expect(await signInWithPassword({ email: user.email, password: testPassword }, client)).toMatchObject({ ok: true });
    expect((await eventsFor(user.userId)).map((e) => e.action).slice(-2)).toEqual(["auth.unlocked", "auth.sign_in"]);
  });

  it("refuses suspended and departed users", async () => {
    for (const status of ["suspended", "left"] as const) {
      const user = await makeUser([], { status });
      expect(await signInWithPassword({ email: user.email, password: testPassword }, client)).toEqual({ ok: false, reason: "inactive" });
    }
  });
});

describe("a session", () => {
  async function signedIn() {
    const trust = await makeTrust();
    const user = await makeUser([{ role: "ig_officer", trustId: trust.id }]);
    const result = await signInWithPassword({ email: user.email, password: testPassword }, client);
    if (!result.ok) throw new Error("sign-in failed");
    return { user, sessionId: result.sessionId };
  }

  it("ends at once when the user is suspended", async () => {
    const { user, sessionId } = await signedIn();
    await testDatabase().db.update(users).set({ status: "suspended" }).where(eq(users.id, user.userId));
    expect(await loadSession(sessionId)).toBeNull();
    const [row] = await testDatabase().db.select().from(userSessions).where(eq(userSessions.id, sessionId));
    expect(row?.endReason).toBe("user_suspended");
    expect((await eventsFor(user.userId)).map((e) => e.action)).toContain("auth.session_ended");
  });

  it("ends after the idle timeout", async () => {
    const { sessionId } = await signedIn();
    await testDatabase().db.update(userSessions).set({ lastSeenAt: new Date(Date.now() - 31 * 60_000) }).where(eq(userSessions.id, sessionId));
    expect(await loadSession(sessionId)).toBeNull();
  });

  it("ends at its absolute expiry however active", async () => {
    const { sessionId } = await signedIn();
    await testDatabase().db.update(userSessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(userSessions.id, sessionId));
    expect(await loadSession(sessionId)).toBeNull();
  });

  it("ends on sign-out, which is recorded, and cannot be used again", async () => {
    const { user, sessionId } = await signedIn();
    await endSession(sessionId, "sign_out", client);
    expect(await loadSession(sessionId)).toBeNull();
    await endSession(sessionId, "sign_out", client);
    expect((await eventsFor(user.userId)).filter((e) => e.action === "auth.sign_out")).toHaveLength(1);
  });

  it("carries only roles that are in their window and not revoked", async () => {
    const trust = await makeTrust();
    const user = await makeUser([{ role: "cio", trustId: trust.id }]);
    await ownerQuery(sql`insert into role_assignments (user_id, role, trust_id, valid_from, valid_until) values
      (${user.userId}, 'pacs_manager', ${trust.id}, now() + interval '1 day', null),
      (${user.userId}, 'ig_officer', ${trust.id}, now() - interval '10 days', now() - interval '1 day')`);
    await ownerQuery(sql`insert into role_assignments (user_id, role, trust_id, revoked_at) values (${user.userId}, 'consortium_admin', null, now())`);
    const result = await signInWithPassword({ email: user.email, password: testPassword }, client);
    if (!result.ok) throw new Error("sign-in failed");
    expect((await loadSession(result.sessionId))?.roles).toEqual([{ role: "cio", trustId: trust.id }]);
  });

  it("is not loaded from a malformed or unknown id", async () => {
    expect(await loadSession("not-a-uuid")).toBeNull();
    expect(await loadSession("00000000-0000-4000-8000-000000000000")).toBeNull();
    const rows = await testDatabase().db.select().from(userSessions).where(and(eq(userSessions.id, "00000000-0000-4000-8000-000000000000")));
    expect(rows).toEqual([]);
  });
});

describe("the lockout under concurrent guesses", () => {
  const maxFailures = 5; // SIGN_IN_MAX_FAILURES' default

  async function authEvents(userId: string) {
    return ownerQuery<{ seq: string; action: string; reason: string | null }>(
      sql`select seq::text as seq, action, details->>'reason' as reason from audit_events
          where target_id = ${userId} and action like 'auth.%' order by seq`,
    );
  }

  async function sessionsOf(userId: string) {
    return (await testDatabase().db.select({ id: userSessions.id }).from(userSessions).where(eq(userSessions.userId, userId))).length;
  }

  /** Every session opened for this user was opened before the account was first locked. */
  function signInsAfterLock(events: { action: string }[]) {
    const locked = events.findIndex((e) => e.action === "auth.locked");
    return locked < 0 ? [] : events.slice(locked).filter((e) => e.action === "auth.sign_in");
  }

  it("evaluates at most the allowed wrong passwords of 30 at once, and opens no session once locked", async () => {
    const user = await makeUser([]);
    const guesses = Array.from({ length: 30 }, (_, i) => signInWithPassword({ email: user.email, password: `guess number ${i}` }, client));
    // The right password, sent in the middle of the flood.
    const right = signInWithPassword({ email: user.email, password: testPassword }, client);
    const results = await Promise.all([...guesses, right]);
    expect(results.slice(0, 30).every((r) => !r.ok)).toBe(true);

    const events = await authEvents(user.userId);
    // Each evaluated wrong password is one audit row with reason bad_password; every attempt is audited.
    expect.soft(events.filter((e) => e.reason === "bad_password").length).toBeLessThanOrEqual(maxFailures);
    expect.soft(events.filter((e) => e.action === "auth.sign_in_failed" || e.action === "auth.sign_in").length).toBe(31);
    expect.soft(events.filter((e) => e.action === "auth.locked")).toHaveLength(1);
    expect.soft(signInsAfterLock(events)).toEqual([]);

    // While locked, the right password is refused and opens no session.
    const before = await sessionsOf(user.userId);
    expect(await signInWithPassword({ email: user.email, password: testPassword }, client)).toEqual({ ok: false, reason: "locked" });
    expect(await sessionsOf(user.userId)).toBe(before);
  });

  it("counts wrong second factors the same way: 30 at once evaluate at most the allowed, and the right code is refused once locked", async () => {
    const user = await makeUser([]);
    const { secret } = await startMfaEnrolment(user);
    const enrolled = await confirmMfaEnrolment(user, { code: await totpCode(secret, stepAt(new Date()) - 1) });
    if (!enrolled.ok) throw new Error(enrolled.error.message);
    const guesses = Array.from({ length: 30 }, (_, i) => signInWithPassword({ email: user.email, password: testPassword, code: String(100000 + i) }, client));
    const right = signInWithPassword({ email: user.email, password: testPassword, code: await totpCode(secret, stepAt(new Date())) }, client);
    const results = await Promise.all([...guesses, right]);
    expect(results.slice(0, 30).every((r) => !r.ok)).toBe(true);

    const events = await authEvents(user.userId);
    expect.soft(events.filter((e) => e.reason === "bad_second_factor").length).toBeLessThanOrEqual(maxFailures);
    expect.soft(events.filter((e) => e.action === "auth.locked")).toHaveLength(1);
    expect.soft(signInsAfterLock(events)).toEqual([]);

    const before = await sessionsOf(user.userId);
    const code = await totpCode(secret, stepAt(new Date()) + 1);
    expect(await signInWithPassword({ email: user.email, password: testPassword, code }, client)).toEqual({ ok: false, reason: "locked" });
    expect(await sessionsOf(user.userId)).toBe(before);
  });
});
