// The idle timeout counts from the last request the server saw, to the second: a session used
// 30 s after its last touch, then left, lives its full SESSION_IDLE_MINUTES from that use.
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { userSessions } from "@/db/schema";
import { loadSession, signInWithPassword } from "@/lib/identity/sign-in";
import { env } from "@/lib/env";
import { testDatabase } from "../helpers/database";
import { makeTrust, makeUser, testPassword } from "../helpers/factories";

afterEach(() => {
  vi.useRealTimers();
});

async function signedIn() {
  const trust = await makeTrust();
  const user = await makeUser([{ role: "ig_officer", trustId: trust.id }]);
  const result = await signInWithPassword({ email: user.email, password: testPassword }, { ip: "10.1.2.3", userAgent: "vitest" });
  if (!result.ok) throw new Error("sign-in failed");
  return result.sessionId;
}

const lastSeen = async (sessionId: string) =>
  (await testDatabase().db.select({ lastSeenAt: userSessions.lastSeenAt, endReason: userSessions.endReason }).from(userSessions).where(eq(userSessions.id, sessionId)))[0];

describe("the idle timeout", () => {
  it("counts from the last request, not from a touch up to a minute older", async () => {
    const idleMs = env().SESSION_IDLE_MINUTES * 60_000;
    const sessionId = await signedIn();
    const t0 = new Date(Date.now() + 1000);
    await testDatabase().db.update(userSessions).set({ lastSeenAt: new Date(t0.getTime() - 30_000) }).where(eq(userSessions.id, sessionId));
    // Only the clock is faked: the database's own timers keep running.
    vi.useFakeTimers({ toFake: ["Date"] });

    vi.setSystemTime(t0); // a request 30 s after the last touch
    expect(await loadSession(sessionId)).not.toBeNull();
    expect((await lastSeen(sessionId))?.lastSeenAt.getTime()).toBe(t0.getTime());

    vi.setSystemTime(t0.getTime() + idleMs - 5_000); // idle for 5 s less than the timeout
    expect(await loadSession(sessionId)).not.toBeNull();

    vi.setSystemTime(t0.getTime() + 2 * idleMs - 4_000); // idle for 1 s more than the timeout
    expect(await loadSession(sessionId)).toBeNull();
    expect((await lastSeen(sessionId))?.endReason).toBe("idle");
  });

  it("never moves the last request back when requests finish out of order", async () => {
    const sessionId = await signedIn();
    const later = new Date(Date.now() + 60_000);
    await testDatabase().db.update(userSessions).set({ lastSeenAt: later }).where(eq(userSessions.id, sessionId));
    expect(await loadSession(sessionId)).not.toBeNull();
    expect((await lastSeen(sessionId))?.lastSeenAt.getTime()).toBe(later.getTime());
  });
});
