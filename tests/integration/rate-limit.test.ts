// Rate limits (lib/rate-limit.ts), counted in the database: sign-in per account and per address,
// the machine API per key and per address. Small limits and a 2-second window, so that a test can
// see a limit reset.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GET as me } from "@/app/api/v1/me/route";
import { authenticateApiKey } from "@/lib/api/auth";
import { signInWithPassword } from "@/lib/identity/sign-in";
import { AppError } from "@/lib/errors";
import { makeApiKey } from "../helpers/api";
import { testDatabase } from "../helpers/database";
import { makeUser, ownerQuery, testPassword } from "../helpers/factories";

// Read once, at the first use of env(): set before any test runs.
process.env.RATE_LIMIT_WINDOW_SECONDS = "2";
process.env.RATE_LIMIT_SIGN_IN_PER_ACCOUNT = "3";
process.env.RATE_LIMIT_SIGN_IN_PER_ADDRESS = "5";
process.env.RATE_LIMIT_API_PER_KEY = "4";
process.env.RATE_LIMIT_API_PER_ADDRESS = "6";

let lastOctet = 0;
/** A client address no other test uses. */
const newAddress = () => ({ ip: `10.77.0.${++lastOctet}`, userAgent: "vitest" });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventsByEmail(email: string, action: string) {
  return ownerQuery<{ details: Record<string, unknown> }>(sql`select details from audit_events where actor_email = ${email} and action = ${action} order by seq`);
}

describe("sign-in rate limits", () => {
  it("limits attempts at one account from any address, unevaluated and audited once, and resets after the window", async () => {
    const user = await makeUser([]);
    for (let i = 0; i < 3; i++) {
      expect(await signInWithPassword({ email: user.email, password: `guess ${i}` }, newAddress())).toEqual({ ok: false, reason: "invalid" });
    }
    // Over the limit: even the right password, in any case of the email, from a new address.
    for (let i = 0; i < 3; i++) {
      const refused = await signInWithPassword({ email: user.email.toUpperCase(), password: testPassword }, newAddress());
      expect(refused).toMatchObject({ ok: false, reason: "rate_limited" });
      if (refused.ok || refused.reason !== "rate_limited") continue;
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(2);
    }
    // Refused attempts are not evaluated: three failures only, and one record of the refusal.
    expect(await eventsByEmail(user.email, "auth.sign_in_failed")).toHaveLength(3);
    expect(await eventsByEmail(user.email, "auth.rate_limited")).toEqual([
      { details: expect.objectContaining({ limit: "signInAccount", points: 3, windowSeconds: 2 }) },
    ]);

    await sleep(2_100);
    expect(await signInWithPassword({ email: user.email, password: testPassword }, newAddress())).toMatchObject({ ok: true });
  });

  it("limits an unknown email exactly like a known one", async () => {
    const email = `nobody-${Date.now().toString(36)}@nowhere.example`;
    for (let i = 0; i < 3; i++) expect(await signInWithPassword({ email, password: "whatever" }, newAddress())).toEqual({ ok: false, reason: "invalid" });
    expect(await signInWithPassword({ email, password: "whatever" }, newAddress())).toMatchObject({ ok: false, reason: "rate_limited" });
  });

  it("limits attempts from one address across accounts; another address is unaffected", async () => {
    const address = newAddress();
    const people = await Promise.all(Array.from({ length: 6 }, () => makeUser([])));
    for (const person of people.slice(0, 5)) {
      expect(await signInWithPassword({ email: person.email, password: "wrong password" }, address)).toEqual({ ok: false, reason: "invalid" });
    }
    const sixth = people[5]!;
    expect(await signInWithPassword({ email: sixth.email, password: testPassword }, address)).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(await eventsByEmail(sixth.email, "auth.rate_limited")).toEqual([{ details: expect.objectContaining({ limit: "signInAddress", points: 5 }) }]);
    expect(await signInWithPassword({ email: sixth.email, password: testPassword }, newAddress())).toMatchObject({ ok: true });
  });
});

describe("machine API rate limits", () => {
  const call = (key: string) => me(new Request("http://test/api/v1/me", { headers: { authorization: `Bearer ${key}` } }));

  it("answers 429 RATE_LIMITED with the wait once a key is over its limit, and serves it again after the window", async () => {
    const key = await makeApiKey(["decisions:read"]);
    for (let i = 0; i < 4; i++) expect((await call(key)).status).toBe(200);
    const refused = await call(key);
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as { error: { code: string; details: { retryAfterSeconds: number } } };
    expect(body.error.code).toBe("RATE_LIMITED");
    expect(body.error.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(body.error.details.retryAfterSeconds).toBeLessThanOrEqual(2);
    const [audited] = await ownerQuery<{ n: number }>(sql`select count(*)::int as n from audit_events where action = 'api.rate_limited' and details->>'limit' = 'apiKey'`);
    expect(audited?.n).toBe(1);

    await sleep(2_100);
    expect((await call(key)).status).toBe(200);
  });

  // lib/api/handler.ts turns details.retryAfterSeconds into the header; until it does, this fails.
  it("sends Retry-After with the 429", async () => {
    const key = await makeApiKey(["decisions:read"]);
    let response = await call(key);
    for (let i = 0; i < 5 && response.status !== 429; i++) response = await call(key);
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("never spends a key's allowance on a wrong secret with its (public) prefix", async () => {
    const key = await makeApiKey(["decisions:read"]);
    const forged = `${key.slice(0, -4)}AAAA` === key ? `${key.slice(0, -4)}BBBB` : `${key.slice(0, -4)}AAAA`;
    for (let i = 0; i < 10; i++) expect((await call(forged)).status).toBe(401);
    for (let i = 0; i < 4; i++) expect((await call(key)).status).toBe(200);
  });

  it("limits every attempt from one address, before a key is checked; another address is unaffected", async () => {
    const key = await makeApiKey(["decisions:read"]);
    const address = { ip: "10.88.0.1" };
    const codeOf = (promise: Promise<unknown>) =>
      promise.then(
        () => "OK",
        (error: unknown) => (error instanceof AppError ? error.code : "?"),
      );
    for (let i = 0; i < 6; i++) expect(await codeOf(authenticateApiKey(`Bearer ${key.slice(0, -4)}AAAA`, null, address))).toBe("UNAUTHENTICATED");
    expect(await codeOf(authenticateApiKey(`Bearer ${key}`, null, address))).toBe("RATE_LIMITED");
    expect(await codeOf(authenticateApiKey(`Bearer ${key}`, null, { ip: "10.88.0.2" }))).toBe("OK");
    const [audited] = await ownerQuery<{ n: number }>(sql`select count(*)::int as n from audit_events where action = 'api.rate_limited' and ip = '10.88.0.1'`);
    expect(audited?.n).toBe(1);
  });
});

describe("the rate_limits table", () => {
  it("is usable by the application role, for a deployment that connects as it", async () => {
    await testDatabase().db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', 'mosaic_app', true)`);
      await tx.execute(sql`insert into rate_limits (key, points, expire) values ('role-check', 1, now() + interval '1 minute')
        on conflict (key) do update set points = rate_limits.points + 1`);
      await tx.execute(sql`select points from rate_limits where key = 'role-check'`);
      await tx.execute(sql`delete from rate_limits where key = 'role-check'`);
    });
    const [kind] = await ownerQuery<{ relpersistence: string }>(sql`select relpersistence from pg_class where relname = 'rate_limits'`);
    expect(kind?.relpersistence).toBe("u"); // unlogged
  });
});
