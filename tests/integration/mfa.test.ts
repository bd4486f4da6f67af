// TOTP multi-factor sign-in: enrolment, sign-in with a code (once), recovery codes, the
// consortium's requirement for portal roles, and a manager's reset.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { makeTrust, makeUser, ownerQuery, testPassword, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";
import { loadSession, signInWithPassword } from "@/lib/identity/sign-in";
import { confirmMfaEnrolment, setMfaRequirement, startMfaEnrolment } from "@/lib/identity/mfa";
import { stepAt, totpCode } from "@/lib/identity/totp";
import { resetMfa } from "@/lib/users/commands";

let A: TestTrust;
let admin: Ctx;
let pacsA: Ctx;
const client = { ip: "127.0.0.1", userAgent: "vitest" };

beforeAll(async () => {
  A = await makeTrust();
  admin = await makeUser([{ role: "consortium_admin", trustId: null }], { homeTrustId: null });
  pacsA = await makeUser([{ role: "pacs_manager", trustId: A.id }]);
  await ownerQuery(sql`insert into consortium (name, contracted_annual_exams) select 'Test consortium', 1 where not exists (select 1 from consortium)`);
});

async function enrol(ctx: Ctx): Promise<{ secret: string; recoveryCodes: string[] }> {
  const { secret, uri, qrDataUrl } = await startMfaEnrolment(ctx);
  expect(uri).toMatch(/^otpauth:\/\/totp\/Mosaic/);
  expect(qrDataUrl).toMatch(/^data:image\/png;base64,/);
  const [stored] = await ownerQuery<{ totp_secret: string }>(sql`select totp_secret from users where id = ${ctx.userId}`);
  expect(stored?.totp_secret).not.toContain(secret); // sealed at rest
  // A code from ten minutes ahead is outside the one-step drift allowed.
  expect(await confirmMfaEnrolment(ctx, { code: await totpCode(secret, stepAt(new Date()) + 20) })).toMatchObject({ ok: false, error: { fieldErrors: { code: [expect.any(String)] } } });
  const result = await confirmMfaEnrolment(ctx, { code: await totpCode(secret, stepAt(new Date()) - 1) });
  if (!result.ok) throw new Error(result.error.message);
  return { secret, recoveryCodes: result.data.recoveryCodes };
}

describe("TOTP multi-factor sign-in", () => {
  it("asks for a code after the right password, accepts each code once, and counts wrong codes towards the lock", async () => {
    const person = await makeUser([{ role: "ig_officer", trustId: A.id }]);
    const { secret, recoveryCodes } = await enrol(person);
    expect(recoveryCodes).toHaveLength(10);
    expect(await signInWithPassword({ email: person.email, password: "wrong password" }, client)).toMatchObject({ ok: false, reason: "invalid" });
    expect(await signInWithPassword({ email: person.email, password: testPassword }, client)).toMatchObject({ ok: false, reason: "mfa_required" });
    expect(await signInWithPassword({ email: person.email, password: testPassword, code: "12345" }, client)).toMatchObject({ ok: false, reason: "invalid" });
    const code = await totpCode(secret, stepAt(new Date()));
    expect(await signInWithPassword({ email: person.email, password: testPassword, code }, client)).toMatchObject({ ok: true });
    // The same code again is a replay.
    expect(await signInWithPassword({ email: person.email, password: testPassword, code }, client)).toMatchObject({ ok: false, reason: "invalid" });
    const [failures] = await ownerQuery<{ failed_sign_ins: number }>(sql`select failed_sign_ins from users where id = ${person.userId}`);
    expect(failures?.failed_sign_ins).toBe(1);
    const events = await ownerQuery<{ action: string; details: Record<string, unknown> }>(
      sql`select action, details from audit_events where target_id = ${person.userId} and action in ('auth.sign_in', 'auth.mfa_enrolled') order by seq`,
    );
    expect(events).toMatchObject([{ action: "auth.mfa_enrolled" }, { action: "auth.sign_in", details: { method: "password+totp" } }]);
  });

  it("accepts a recovery code once", async () => {
    const person = await makeUser([{ role: "cio", trustId: A.id }]);
    const { recoveryCodes } = await enrol(person);
    const code = recoveryCodes[3]!.toUpperCase();
    expect(await signInWithPassword({ email: person.email, password: testPassword, code }, client)).toMatchObject({ ok: true });
    expect(await signInWithPassword({ email: person.email, password: testPassword, code }, client)).toMatchObject({ ok: false, reason: "invalid" });
    const [left] = await ownerQuery<{ n: number }>(sql`select cardinality(recovery_code_hashes) as n from users where id = ${person.userId}`);
    expect(left?.n).toBe(9);
  });

  it("cannot start enrolment again once set up; a PACS manager's reset clears it", async () => {
    const person = await makeUser([{ role: "radiographer", trustId: A.id }]);
    await enrol(person);
    await expect(startMfaEnrolment(person)).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await resetMfa(pacsA, person.userId)).toMatchObject({ ok: true });
    expect(await resetMfa(pacsA, person.userId)).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
    expect(await signInWithPassword({ email: person.email, password: testPassword }, client)).toMatchObject({ ok: true });
  });

  it("the consortium setting makes portal-role holders enrol before using the portal; only an administrator changes it", async () => {
    expect(await setMfaRequirement(pacsA, { required: true })).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    const manager = await makeUser([{ role: "pacs_manager", trustId: A.id }]);
    const clinician = await makeUser([{ role: "radiologist", trustId: A.id }]);
    const sessionOf = async (ctx: Ctx) => {
      const result = await signInWithPassword({ email: ctx.email, password: testPassword }, client);
      if (!result.ok) throw new Error(result.reason);
      return result.sessionId;
    };
    expect(await setMfaRequirement(admin, { required: true })).toMatchObject({ ok: true });
    try {
      const managerSession = await sessionOf(manager);
      expect(await loadSession(managerSession)).toMatchObject({ needsMfaEnrolment: true });
      expect(await loadSession(await sessionOf(clinician))).toMatchObject({ needsMfaEnrolment: false });
      await enrol(manager);
      expect(await loadSession(managerSession)).toMatchObject({ needsMfaEnrolment: false });
      const [event] = await ownerQuery<{ details: Record<string, unknown> }>(sql`select details from audit_events where action = 'settings.update' order by seq desc limit 1`);
      expect(event?.details).toEqual({ before: { requireMfaForPortalRoles: false }, after: { requireMfaForPortalRoles: true } });
    } finally {
      expect(await setMfaRequirement(admin, { required: false })).toMatchObject({ ok: true });
    }
  });
});
