// Users, roles and sign-in rules through lib/, on a real database: the grant rule, rotations,
// leavers, suspension, the users list, set-password links and lockout.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { makeTrust, makeUser, ownerQuery, testPassword, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";
import { loadSession, signInWithPassword } from "@/lib/identity/sign-in";
import { inspectPasswordToken, setPasswordWithToken } from "@/lib/identity/password-links";
import {
  createPasswordResetLink,
  createUser,
  grantRole,
  markLeaver,
  reactivateUser,
  revokeRole,
  suspendUser,
  unlockUser,
  updateUser,
} from "@/lib/users/commands";
import { exportUsers, getUser, getUserHistory, listEndingSoon, listRecentlyChanged, listUsers } from "@/lib/users/queries";
import { userFilter } from "@/lib/users/schemas";
import { AppError } from "@/lib/errors";

let A: TestTrust;
let B: TestTrust;
let admin: Ctx;
let pacsA: Ctx;
let pacsB: Ctx;
let igA: Ctx;

const client = { ip: "127.0.0.1", userAgent: "vitest" };
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  A = await makeTrust();
  B = await makeTrust();
  admin = await makeUser([{ role: "consortium_admin", trustId: null }], { homeTrustId: null });
  pacsA = await makeUser([{ role: "pacs_manager", trustId: A.id }]);
  pacsB = await makeUser([{ role: "pacs_manager", trustId: B.id }]);
  igA = await makeUser([{ role: "ig_officer", trustId: A.id }]);
});

async function eventsAbout(userId: string) {
  return ownerQuery<{ action: string; source_trust_id: string | null; actor_role: string | null; details: Record<string, unknown> }>(
    sql`select action, source_trust_id, actor_role, details from audit_events where target_type = 'user' and target_id = ${userId} order by seq`,
  );
}

async function expectNotFound(promise: Promise<unknown>) {
  await expect(promise).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === "NOT_FOUND");
}

async function openSession(ctx: Ctx): Promise<string> {
  const [row] = await ownerQuery<{ id: string }>(sql`insert into user_sessions (user_id, expires_at) values (${ctx.userId}, now() + interval '1 hour') returning id`);
  if (!row) throw new Error("no session");
  return row.id;
}

describe("granting roles", () => {
  it("a PACS manager grants clinical roles at their own trust, audited with the national job-role code", async () => {
    const doctor = await makeUser([], { homeTrustId: A.id });
    const result = await grantRole(pacsA, { userId: doctor.userId, role: "radiologist", trustId: A.id, departmentId: A.departmentId, validFrom: isoDay(0) });
    expect(result).toMatchObject({ ok: true });
    const [row] = await ownerQuery<{ job_role_code: string; department_id: string; granted_by: string }>(
      sql`select job_role_code, department_id, granted_by from role_assignments where user_id = ${doctor.userId}`,
    );
    expect(row).toEqual({ job_role_code: "R8000", department_id: A.departmentId, granted_by: pacsA.userId });
    const events = await eventsAbout(doctor.userId);
    expect(events.map((e) => e.action)).toEqual(["role.grant"]);
    expect(events[0]).toMatchObject({ source_trust_id: A.id, actor_role: "pacs_manager", details: { after: { role: "radiologist", jobRoleCode: "R8000" } } });
  });

  it.each([
    ["at another trust", () => ({ role: "radiologist", trustId: B.id }), "VALIDATION", "trustId"],
    ["consortium-wide", () => ({ role: "radiologist", trustId: "" }), "FORBIDDEN", "role"],
    ["a portal role they do not hold", () => ({ role: "ig_officer", trustId: A.id }), "FORBIDDEN", "role"],
    ["the CIO role", () => ({ role: "cio", trustId: A.id }), "FORBIDDEN", "role"],
    ["consortium administrator", () => ({ role: "consortium_admin", trustId: "" }), "FORBIDDEN", "role"],
    ["with another trust's department", () => ({ role: "radiographer", trustId: A.id, departmentId: B.departmentId }), "VALIDATION", "departmentId"],
    ["a job-role code on a portal role", () => ({ role: "pacs_manager", trustId: A.id, jobRoleCode: "R8000" }), "VALIDATION", "jobRoleCode"],
  ])("a PACS manager cannot grant %s", async (_what, grant, code, field) => {
    const person = await makeUser([], { homeTrustId: A.id });
    const result = await grantRole(pacsA, { userId: person.userId, validFrom: isoDay(0), ...grant() });
    expect(result).toMatchObject({ ok: false, error: { code } });
    if (!result.ok) expect(result.error.fieldErrors?.[field]?.[0]).toMatch(/\w/);
    expect(await ownerQuery(sql`select 1 from role_assignments where user_id = ${person.userId}`)).toEqual([]);
  });

  it("nobody grants to themselves, not even a consortium administrator", async () => {
    for (const ctx of [pacsA, admin]) {
      const result = await grantRole(ctx, { userId: ctx.userId, role: "radiologist", trustId: A.id, validFrom: isoDay(0) });
      expect(result).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    }
  });

  it("a PACS manager may pass on the portal role they hold, at their trust", async () => {
    const deputy = await makeUser([], { homeTrustId: A.id });
    expect(await grantRole(pacsA, { userId: deputy.userId, role: "pacs_manager", trustId: A.id, validFrom: isoDay(0) })).toMatchObject({ ok: true });
  });

  it("an IG officer cannot grant anything", async () => {
    const person = await makeUser([], { homeTrustId: A.id });
    expect(await grantRole(igA, { userId: person.userId, role: "radiologist", trustId: A.id, validFrom: isoDay(0) })).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
  });

  it("a consortium administrator grants any role at any trust or consortium-wide", async () => {
    const person = await makeUser([], { homeTrustId: B.id });
    for (const grant of [
      { role: "ig_officer", trustId: B.id },
      { role: "cio", trustId: "" },
      { role: "radiologist", trustId: A.id },
    ]) {
      expect(await grantRole(admin, { userId: person.userId, validFrom: isoDay(0), ...grant })).toMatchObject({ ok: true });
    }
  });

  it("a PACS manager cannot see or grant to a person of another trust by id", async () => {
    const stranger = await makeUser([], { homeTrustId: B.id });
    expect(await grantRole(pacsA, { userId: stranger.userId, role: "radiologist", trustId: A.id, validFrom: isoDay(0) })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    await expectNotFound(getUser(pacsA, stranger.userId));
    // The history the person's page streams after its first part checks the same scope.
    await expectNotFound(getUserHistory(pacsA, stranger.userId));
  });

  it.each([
    [{ role: "surgeon" }, "role"],
    [{ validFrom: "31/02/2026" }, "validFrom"],
    [{ validFrom: "next week" }, "validFrom"],
    [{ validUntil: isoDay(-10) }, "validUntil"],
    [{ validFrom: isoDay(-40), validUntil: isoDay(-5) }, "validUntil"],
    [{ jobRoleCode: "X1" }, "jobRoleCode"],
    [{ userId: "", email: "not-an-email" }, "email"],
    [{ userId: "", email: "" }, "email"],
  ])("refuses a bad grant %j naming the field", async (bad, field) => {
    const person = await makeUser([], { homeTrustId: A.id });
    const result = await grantRole(pacsA, { userId: person.userId, role: "radiographer", trustId: A.id, validFrom: isoDay(0), ...bad });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.error.fieldErrors ?? {})).toContain(field);
  });

  it("refuses an overlapping grant of the same role at the same trust", async () => {
    const person = await makeUser([], { homeTrustId: A.id });
    expect(await grantRole(pacsA, { userId: person.userId, role: "radiographer", trustId: A.id, validFrom: isoDay(0), validUntil: isoDay(100) })).toMatchObject({ ok: true });
    expect(await grantRole(pacsA, { userId: person.userId, role: "radiographer", trustId: A.id, validFrom: isoDay(50) })).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
    expect(await grantRole(pacsA, { userId: person.userId, role: "radiographer", trustId: A.id, validFrom: isoDay(101) })).toMatchObject({ ok: true });
  });

  it("revokes under the same rule: not another trust's assignment, not one's own", async () => {
    const person = await makeUser([{ role: "radiographer", trustId: A.id }]);
    const [assignment] = await ownerQuery<{ id: string }>(sql`select id from role_assignments where user_id = ${person.userId}`);
    expect(await revokeRole(pacsB, { assignmentId: assignment!.id })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    const [own] = await ownerQuery<{ id: string }>(sql`select id from role_assignments where user_id = ${pacsA.userId}`);
    expect(await revokeRole(pacsA, { assignmentId: own!.id })).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(await revokeRole(pacsA, { assignmentId: assignment!.id })).toMatchObject({ ok: true });
    expect(await revokeRole(pacsA, { assignmentId: assignment!.id })).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
    expect((await eventsAbout(person.userId)).map((e) => e.action)).toEqual(["role.revoke"]);
  });
});

describe("a rotation", () => {
  it("gives a doctor of trust A a role at trust B for four months, found by exact email, listed as ending soon near its end", async () => {
    const doctor = await makeUser([{ role: "clinician", trustId: A.id }]);
    // Trust B's manager cannot see the doctor yet.
    await expectNotFound(getUser(pacsB, doctor.userId));
    const result = await grantRole(pacsB, { email: doctor.email, role: "clinician", trustId: B.id, validFrom: isoDay(-100), validUntil: isoDay(20) });
    expect(result).toMatchObject({ ok: true, data: { userId: doctor.userId } });
    // Now B's manager sees the doctor, with both trusts' roles on the page.
    const page = await getUser(pacsB, doctor.userId);
    expect(page.roles.map((r) => `${r.role}@${r.trust?.odsCode}`).sort()).toEqual([`clinician@${A.odsCode}`, `clinician@${B.odsCode}`].sort());
    expect(page.roles.find((r) => r.trust?.id === A.id)?.canRevoke).toBe(false);
    expect(page.roles.find((r) => r.trust?.id === B.id)?.canRevoke).toBe(true);
    expect(page.canManage).toBe(false); // the account belongs to the home trust
    expect((await listEndingSoon(pacsB)).map((r) => r.userId)).toContain(doctor.userId);
    expect((await listEndingSoon(pacsA)).map((r) => r.userId)).not.toContain(doctor.userId);
    const b = await listUsers(pacsB, userFilter.parse({ q: doctor.email }));
    expect(b.rows.map((r) => r.id)).toEqual([doctor.userId]);
    expect((await listRecentlyChanged(pacsB)).map((r) => r.userId)).toContain(doctor.userId);
    // The grant is in the person's history of changes, newest first, at most the size asked for.
    const history = await getUserHistory(pacsB, doctor.userId);
    expect(history[0]).toMatchObject({ action: "role.grant", by: pacsB.email });
    expect(await getUserHistory(pacsB, doctor.userId, 1)).toHaveLength(1);
  });

  it("an unknown email names the email field", async () => {
    const result = await grantRole(pacsB, { email: "nobody-here@test.example", role: "clinician", trustId: B.id, validFrom: isoDay(0) });
    expect(result).toMatchObject({ ok: false, error: { code: "VALIDATION", fieldErrors: { email: [expect.any(String)] } } });
  });
});

describe("suspending and marking a leaver", () => {
  it("a suspended user's session ends on their next request; reactivation lets them back", async () => {
    const person = await makeUser([{ role: "ig_officer", trustId: A.id }]);
    const sessionId = await openSession(person);
    expect(await loadSession(sessionId)).not.toBeNull();
    expect(await suspendUser(pacsA, person.userId, { reason: "Investigation under way" })).toMatchObject({ ok: true });
    expect(await loadSession(sessionId)).toBeNull();
    expect(await signInWithPassword({ email: person.email, password: testPassword }, client)).toMatchObject({ ok: false, reason: "inactive" });
    expect(await reactivateUser(pacsA, person.userId)).toMatchObject({ ok: true });
    expect(await signInWithPassword({ email: person.email, password: testPassword }, client)).toMatchObject({ ok: true });
    expect((await eventsAbout(person.userId)).filter((e) => e.action.startsWith("user.")).map((e) => e.action)).toEqual(["user.suspend", "user.reactivate"]);
  });

  it("mark as leaver ends every role at every trust and every session at once", async () => {
    const person = await makeUser([{ role: "clinician", trustId: A.id }]);
    expect(await grantRole(pacsB, { email: person.email, role: "clinician", trustId: B.id, validFrom: isoDay(-1), validUntil: isoDay(90) })).toMatchObject({ ok: true });
    expect(await grantRole(pacsA, { userId: person.userId, role: "radiologist", trustId: A.id, validFrom: isoDay(30) })).toMatchObject({ ok: true });
    const s1 = await openSession(person);
    const s2 = await openSession(person);
    const result = await markLeaver(pacsA, person.userId);
    expect(result).toMatchObject({ ok: true, data: { endedRoles: 3, endedSessions: 2 } });
    const open = await ownerQuery(sql`select id from role_assignments where user_id = ${person.userId} and revoked_at is null`);
    expect(open).toEqual([]);
    const sessions = await ownerQuery<{ end_reason: string }>(sql`select end_reason from user_sessions where id in (${s1}, ${s2})`);
    expect(sessions.map((s) => s.end_reason)).toEqual(["user_left", "user_left"]);
    expect(await loadSession(s1)).toBeNull();
    const events = await eventsAbout(person.userId);
    const leaverEvents = events.filter((e) => e.action === "user.leaver" || (e.action === "role.revoke" && e.details.reason === "leaver"));
    expect(leaverEvents.map((e) => e.action).sort()).toEqual(["role.revoke", "role.revoke", "role.revoke", "user.leaver"]);
    // The rotation's end is recorded in trust B's chain.
    expect(leaverEvents.some((e) => e.action === "role.revoke" && e.source_trust_id === B.id)).toBe(true);
    expect(await grantRole(pacsA, { userId: person.userId, role: "clinician", trustId: A.id, validFrom: isoDay(0) })).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
  });

  it("only the home trust's manager changes an account; nobody changes their own", async () => {
    const doctor = await makeUser([{ role: "clinician", trustId: A.id }]);
    await grantRole(pacsB, { email: doctor.email, role: "clinician", trustId: B.id, validFrom: isoDay(0), validUntil: isoDay(60) });
    for (const result of [await suspendUser(pacsB, doctor.userId, { reason: "Not theirs to suspend" }), await markLeaver(pacsB, doctor.userId), await updateUser(pacsB, doctor.userId, { name: "Renamed", email: doctor.email, homeTrustId: A.id })]) {
      expect(result).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    }
    expect(await suspendUser(pacsA, pacsA.userId, { reason: "Self" })).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(await suspendUser(igA, doctor.userId, { reason: "Not a manager" })).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(await markLeaver(admin, doctor.userId)).toMatchObject({ ok: true });
  });
});

describe("creating and editing people", () => {
  it("creates a radiologist with a first role and a single-use set-password link", async () => {
    const email = `new.radiologist.${Date.now()}@test.example`;
    const result = await createUser(pacsA, { name: "Dr Priya Raman", email: email.toUpperCase(), homeTrustId: A.id, role: "radiologist", departmentId: A.departmentId, validFrom: isoDay(0) });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { id, setPasswordToken } = result.data;
    const [stored] = await ownerQuery<{ token_hash: string; email: string }>(sql`select t.token_hash, u.email from password_tokens t join users u on u.id = t.user_id where t.user_id = ${id}`);
    expect(stored?.email).toBe(email); // stored lower-case
    expect(stored?.token_hash).not.toContain(setPasswordToken); // only the hash is kept
    expect(await inspectPasswordToken(setPasswordToken)).toMatchObject({ email, purpose: "invite" });

    expect(await setPasswordWithToken({ token: setPasswordToken, password: "password1234", confirm: "password1234" }, client)).toMatchObject({ ok: false, error: { fieldErrors: { password: [expect.stringMatching(/common/)] } } });
    expect(await setPasswordWithToken({ token: setPasswordToken, password: "tulip marble harbour", confirm: "tulip marble harbor" }, client)).toMatchObject({ ok: false, error: { fieldErrors: { confirm: [expect.any(String)] } } });
    expect(await setPasswordWithToken({ token: setPasswordToken, password: "tulip marble harbour", confirm: "tulip marble harbour" }, client)).toMatchObject({ ok: true });
    expect(await setPasswordWithToken({ token: setPasswordToken, password: "another good phrase", confirm: "another good phrase" }, client)).toMatchObject({ ok: false, error: { code: "VALIDATION" } });
    expect(await signInWithPassword({ email, password: "tulip marble harbour" }, client)).toMatchObject({ ok: true });
    expect((await eventsAbout(id)).map((e) => e.action)).toEqual(["user.create", "role.grant", "user.password_link", "user.password_set", "auth.sign_in"]);
  });

  it("a reset link replaces the earlier one, and an expired link does nothing", async () => {
    const person = await makeUser([{ role: "radiographer", trustId: A.id }]);
    const first = await createPasswordResetLink(pacsA, person.userId);
    const second = await createPasswordResetLink(pacsA, person.userId);
    if (!first.ok || !second.ok) throw new Error("links not made");
    expect(await inspectPasswordToken(first.data.setPasswordToken)).toBeNull();
    expect(await inspectPasswordToken(second.data.setPasswordToken)).not.toBeNull();
    await ownerQuery(sql`update password_tokens set expires_at = now() - interval '1 minute' where user_id = ${person.userId} and used_at is null`);
    expect(await setPasswordWithToken({ token: second.data.setPasswordToken, password: "tulip marble harbour", confirm: "tulip marble harbour" }, client)).toMatchObject({ ok: false, error: { code: "VALIDATION" } });
    expect(await createPasswordResetLink(pacsB, person.userId)).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
  });

  it.each([
    [{ email: "not an email" }, "email"],
    [{ name: "X" }, "name"],
    [{ homeTrustId: "b0000000-0000-4000-8000-000000000000" }, "homeTrustId"],
    [{ homeTrustId: "" }, "homeTrustId"],
    [{ role: "radiologist", validFrom: "2026-13-01" }, "validFrom"],
  ])("refuses a bad new user %j naming the field", async (bad, field) => {
    const result = await createUser(pacsA, { name: "Sam Taylor", email: `sam.${Math.random()}@test.example`, homeTrustId: A.id, ...bad });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.error.fieldErrors ?? {})).toContain(field);
  });

  it("refuses a second account with the same email, whatever its case", async () => {
    const result = await createUser(pacsB, { name: "Copy Cat", email: pacsA.email.toUpperCase(), homeTrustId: B.id });
    expect(result).toMatchObject({ ok: false, error: { code: "CONFLICT", fieldErrors: { email: [expect.any(String)] } } });
  });

  it("edits a name with the before and after in the audit trail", async () => {
    const person = await makeUser([{ role: "radiographer", trustId: A.id }]);
    expect(await updateUser(pacsA, person.userId, { name: "Alex Morgan-Smith", email: person.email, homeTrustId: A.id })).toMatchObject({ ok: true });
    const [event] = (await eventsAbout(person.userId)).filter((e) => e.action === "user.update");
    expect(event?.details).toEqual({ before: { name: person.name }, after: { name: "Alex Morgan-Smith" } });
  });
});

describe("the users list", () => {
  let C: TestTrust;
  let pacsC: Ctx;
  beforeAll(async () => {
    C = await makeTrust();
    pacsC = await makeUser([{ role: "pacs_manager", trustId: C.id }]);
    for (let i = 0; i < 23; i++) await makeUser([{ role: i % 3 === 0 ? "radiologist" : "radiographer", trustId: C.id }], { status: i % 5 === 0 ? "suspended" : "active" });
  });

  it("pages forward and back by keyset with no row twice and none missed", async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await listUsers(pacsC, userFilter.parse({ after }), 5);
      seen.push(...page.rows.map((r) => r.id));
      pages++;
      if (!page.next) break;
      after = page.next;
    }
    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(24);
    const whole = await listUsers(pacsC, userFilter.parse({}), 100);
    expect(whole.rows.map((r) => r.id)).toEqual(seen);
    // Back from the third page is the second.
    const p2 = await listUsers(pacsC, userFilter.parse({}), 5).then((p1) => listUsers(pacsC, userFilter.parse({ after: p1.next }), 5));
    const p3 = await listUsers(pacsC, userFilter.parse({ after: p2.next }), 5);
    const back = await listUsers(pacsC, userFilter.parse({ before: p3.prev }), 5);
    expect(back.rows.map((r) => r.id)).toEqual(p2.rows.map((r) => r.id));
  });

  it("filters by role, status and search, and exports the filtered list", async () => {
    const radiologists = await listUsers(pacsC, userFilter.parse({ role: "radiologist" }), 100);
    expect(radiologists.rows).toHaveLength(8);
    expect(radiologists.rows.every((r) => r.roles.some((x) => x.role === "radiologist"))).toBe(true);
    const suspended = await listUsers(pacsC, userFilter.parse({ status: "suspended" }), 100);
    expect(suspended.rows).toHaveLength(5);
    const one = radiologists.rows[0]!;
    const found = await listUsers(pacsC, userFilter.parse({ q: one.email.slice(0, 12).toUpperCase() }), 100);
    expect(found.rows.map((r) => r.id)).toContain(one.id);
    expect(await exportUsers(pacsC, userFilter.parse({ role: "radiologist" }))).toHaveLength(8);
    expect((await listUsers(pacsC, userFilter.parse({ department: C.departmentId }), 100)).rows).toHaveLength(0);
    expect((await listUsers(pacsC, userFilter.parse({ q: "%" }), 100)).rows).toHaveLength(0);
  });

  it("shows nothing of other trusts, even when asked for one by name", async () => {
    expect((await listUsers(pacsC, userFilter.parse({ trust: A.odsCode }), 100)).rows).toEqual([]);
    const all = await listUsers(pacsA, userFilter.parse({}), 500);
    expect(all.rows.some((r) => r.homeTrust === C.odsCode)).toBe(false);
    expect((await listUsers(admin, userFilter.parse({ trust: C.odsCode }), 500)).rows).toHaveLength(24);
    const cio = await makeUser([{ role: "cio", trustId: C.id }]);
    expect((await listUsers(cio, userFilter.parse({}), 500)).rows).toEqual([]);
  });
});

describe("lockout", () => {
  it("locks after repeated failures, refuses the right password while locked, and audits the lock and its end", async () => {
    const person = await makeUser([{ role: "ig_officer", trustId: A.id }]);
    for (let i = 0; i < 4; i++) expect(await signInWithPassword({ email: person.email, password: "wrong password" }, client)).toMatchObject({ ok: false, reason: "invalid" });
    expect(await signInWithPassword({ email: person.email, password: "wrong password" }, client)).toMatchObject({ ok: false, reason: "locked" });
    expect(await signInWithPassword({ email: person.email, password: testPassword }, client)).toMatchObject({ ok: false, reason: "locked" });
    // The lock runs out (moved into the past rather than waited for).
    await ownerQuery(sql`update users set locked_until = now() - interval '1 second' where id = ${person.userId}`);
    expect(await signInWithPassword({ email: person.email, password: testPassword }, client)).toMatchObject({ ok: true });
    const actions = (await eventsAbout(person.userId)).map((e) => e.action);
    expect(actions).toEqual([...Array(5).fill("auth.sign_in_failed"), "auth.locked", "auth.sign_in_failed", "auth.unlocked", "auth.sign_in"]);
  });

  it("the end of an expired lock is audited even when the next attempt fails", async () => {
    const person = await makeUser([{ role: "ig_officer", trustId: A.id }]);
    await ownerQuery(sql`update users set locked_until = now() - interval '1 second' where id = ${person.userId}`);
    expect(await signInWithPassword({ email: person.email, password: "wrong password" }, client)).toMatchObject({ ok: false, reason: "invalid" });
    expect((await eventsAbout(person.userId)).map((e) => e.action)).toEqual(["auth.unlocked", "auth.sign_in_failed"]);
  });

  it("a PACS manager can lift a lock, audited", async () => {
    const person = await makeUser([{ role: "radiographer", trustId: A.id }]);
    await ownerQuery(sql`update users set locked_until = now() + interval '10 minutes' where id = ${person.userId}`);
    expect(await unlockUser(pacsB, person.userId)).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    expect(await unlockUser(pacsA, person.userId)).toMatchObject({ ok: true });
    expect(await signInWithPassword({ email: person.email, password: testPassword }, client)).toMatchObject({ ok: true });
    expect((await eventsAbout(person.userId)).map((e) => e.action)).toEqual(["auth.unlocked", "auth.sign_in"]);
  });
});
