// Single sign-on: an OpenID Connect identity is matched to an existing account, never creates one.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import { loadSession } from "@/lib/identity/sign-in";
import { signInWithOidc } from "@/lib/identity/sso";

const issuer = "https://cis2.example.nhs.uk/openam/oauth2/realms/root/realms/oidc";
const client = { ip: "127.0.0.1", userAgent: "vitest" };
let A: TestTrust;

beforeAll(async () => {
  A = await makeTrust();
});

describe("single sign-on", () => {
  it("matches a verified email once, links the identity, then matches by subject alone", async () => {
    const person = await makeUser([{ role: "radiologist", trustId: A.id }]);
    await ownerQuery(sql`update role_assignments set job_role_code = 'R8000' where user_id = ${person.userId}`);
    const first = await signInWithOidc({ issuer, subject: "555000111222", email: person.email.toUpperCase(), emailVerified: true, selectedRoleCode: "R8000" }, client);
    expect(first).toMatchObject({ ok: true, userId: person.userId });
    if (!first.ok) return;
    expect(await loadSession(first.sessionId)).toMatchObject({ userId: person.userId });
    const second = await signInWithOidc({ issuer, subject: "555000111222", email: "changed@elsewhere.example" }, client);
    expect(second).toMatchObject({ ok: true, userId: person.userId });
    const events = await ownerQuery<{ action: string; details: Record<string, unknown> }>(
      sql`select action, details from audit_events where target_id = ${person.userId} order by seq`,
    );
    expect(events.map((e) => e.action)).toEqual(["auth.sso_linked", "auth.sign_in", "auth.sign_in"]);
    expect(events[1]?.details).toMatchObject({ method: "oidc", jobRoleCode: "R8000", roleAssignmentId: expect.any(String) });
  });

  it("never creates an account for an unknown identity", async () => {
    const before = await ownerQuery<{ n: number }>(sql`select count(*)::int as n from users`);
    expect(await signInWithOidc({ issuer, subject: "999", email: "stranger@nowhere.example", emailVerified: true }, client)).toEqual({ ok: false, reason: "unknown_user" });
    expect(await ownerQuery<{ n: number }>(sql`select count(*)::int as n from users`)).toEqual(before);
    const [event] = await ownerQuery<{ action: string; details: Record<string, unknown> }>(sql`select action, details from audit_events where action = 'auth.sign_in_failed' order by seq desc limit 1`);
    expect(event?.details).toMatchObject({ method: "oidc", reason: "no_matching_account" });
  });

  it("refuses an unverified email, a suspended account, and an email already linked to another identity", async () => {
    const person = await makeUser([{ role: "clinician", trustId: A.id }]);
    expect(await signInWithOidc({ issuer, subject: "a1", email: person.email, emailVerified: false }, client)).toMatchObject({ ok: false, reason: "unknown_user" });
    expect(await signInWithOidc({ issuer, subject: "a1", email: person.email, emailVerified: true }, client)).toMatchObject({ ok: true });
    expect(await signInWithOidc({ issuer, subject: "a2", email: person.email, emailVerified: true }, client)).toMatchObject({ ok: false, reason: "unknown_user" });
    const suspended = await makeUser([{ role: "clinician", trustId: A.id }], { status: "suspended" });
    expect(await signInWithOidc({ issuer, subject: "s1", email: suspended.email, emailVerified: true }, client)).toMatchObject({ ok: false, reason: "inactive" });
  });
});
