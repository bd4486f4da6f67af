// The PACS manager's requests (issue 12): extend a role from "roles ending soon", a reason when
// suspending, a leaving date in the future, and the CSV intake's set-password links. Through lib/,
// on a real database, with another trust's manager trying each change.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";
import { addDays, endOfLondonDay, londonToday } from "@/lib/calendar";
import { grantRole, markLeaver, setLeavingDate, suspendUser } from "@/lib/users/commands";
import { applyDueLeavers } from "@/lib/users/leavers";
import { loadSession, signInWithPassword } from "@/lib/identity/sign-in";
import { testPassword } from "../helpers/factories";
import { extendRole } from "@/lib/users/extend";
import { getUser, getUserHistory, listEndingSoon } from "@/lib/users/queries";
import { commitImport } from "@/lib/users/import";
import { inspectPasswordToken, setPasswordWithToken } from "@/lib/identity/password-links";

let A: TestTrust;
let B: TestTrust;
let pacsA: Ctx;
let pacsB: Ctx;

const day = (n: number) => addDays(londonToday(), n);

beforeAll(async () => {
  A = await makeTrust();
  B = await makeTrust();
  pacsA = await makeUser([{ role: "pacs_manager", trustId: A.id }]);
  pacsB = await makeUser([{ role: "pacs_manager", trustId: B.id }]);
});

async function eventsAbout(userId: string) {
  return ownerQuery<{ action: string; source_trust_id: string | null; details: Record<string, unknown> }>(
    sql`select action, source_trust_id, details from audit_events where target_type = 'user' and target_id = ${userId} order by seq`,
  );
}

/** A clinician of trust A whose role there ends in `days` days. */
async function endingSoon(days = 10) {
  const person = await makeUser([], { homeTrustId: A.id });
  const granted = await grantRole(pacsA, { userId: person.userId, role: "clinician", trustId: A.id, validFrom: day(-30), validUntil: day(days) });
  if (!granted.ok) throw new Error(granted.error.message);
  return { person, assignmentId: granted.data.id };
}

describe("extending a role from roles ending soon", () => {
  it("moves the last day to the end of the chosen London day, audited with the old and new last days", async () => {
    const { person, assignmentId } = await endingSoon();
    expect((await listEndingSoon(pacsA)).map((r) => r.assignmentId)).toContain(assignmentId);
    // A summer day: its end is 23:00 UTC, not midnight UTC (the clock-change bug of issue 12).
    const newLast = `${Number(londonToday().slice(0, 4)) + 1}-07-31`;
    const result = await extendRole(pacsA, { assignmentId, validUntil: newLast });
    expect(result).toMatchObject({ ok: true });
    const [row] = await ownerQuery<{ valid_until: Date }>(sql`select valid_until from role_assignments where id = ${assignmentId}`);
    expect(new Date(row?.valid_until ?? 0).toISOString()).toBe(`${newLast}T23:00:00.000Z`);
    expect(new Date(row?.valid_until ?? 0).getTime()).toBe(endOfLondonDay(newLast).getTime());
    expect((await listEndingSoon(pacsA)).map((r) => r.assignmentId)).not.toContain(assignmentId);
    const events = (await eventsAbout(person.userId)).filter((e) => e.action === "role.extend");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      source_trust_id: A.id,
      details: { assignmentId, role: "clinician", before: { validUntil: endOfLondonDay(day(10)).toISOString() }, after: { validUntil: `${newLast}T23:00:00.000Z` } },
    });
    const history = await getUserHistory(pacsA, person.userId);
    expect(history.map((h) => h.action)).toContain("role.extend");
  });

  it.each([
    ["no day", {}, "validUntil"],
    ["not a date", { validUntil: "next week" }, "validUntil"],
    ["31 April", { validUntil: "2031-04-31" }, "validUntil"],
    ["a day before the current last day", { validUntil: day(5) }, "validUntil"],
    ["the current last day", { validUntil: day(10) }, "validUntil"],
    ["no assignment", { assignmentId: "", validUntil: day(40) }, "assignmentId"],
  ])("refuses %s, naming the field, and changes nothing", async (_what, fields, field) => {
    const { person, assignmentId } = await endingSoon();
    const result = await extendRole(pacsA, { assignmentId, ...fields });
    expect(result).toMatchObject({ ok: false, error: { fieldErrors: { [field]: [expect.any(String)] } } });
    const [row] = await ownerQuery<{ valid_until: Date }>(sql`select valid_until from role_assignments where id = ${assignmentId}`);
    expect(new Date(row?.valid_until ?? 0).getTime()).toBe(endOfLondonDay(day(10)).getTime());
    expect((await eventsAbout(person.userId)).map((e) => e.action)).not.toContain("role.extend");
  });

  it("another trust's PACS manager cannot extend trust A's role: NOT_FOUND, nothing changed", async () => {
    const { person, assignmentId } = await endingSoon();
    const result = await extendRole(pacsB, { assignmentId, validUntil: day(60) });
    expect(result).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    const [row] = await ownerQuery<{ valid_until: Date }>(sql`select valid_until from role_assignments where id = ${assignmentId}`);
    expect(new Date(row?.valid_until ?? 0).getTime()).toBe(endOfLondonDay(day(10)).getTime());
    expect((await eventsAbout(person.userId)).map((e) => e.action)).not.toContain("role.extend");
  });

  it("refuses to run into the next grant of the same role there", async () => {
    const { person, assignmentId } = await endingSoon();
    expect(await grantRole(pacsA, { userId: person.userId, role: "clinician", trustId: A.id, validFrom: day(20), validUntil: day(50) })).toMatchObject({ ok: true });
    expect(await extendRole(pacsA, { assignmentId, validUntil: day(25) })).toMatchObject({ ok: false, error: { code: "CONFLICT", fieldErrors: { validUntil: [expect.any(String)] } } });
    expect(await extendRole(pacsA, { assignmentId, validUntil: day(19) })).toMatchObject({ ok: true });
  });

  it("refuses a revoked role", async () => {
    const { assignmentId } = await endingSoon();
    await ownerQuery(sql`update role_assignments set revoked_at = now() where id = ${assignmentId}`);
    expect(await extendRole(pacsA, { assignmentId, validUntil: day(60) })).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
  });
});

describe("suspending with a reason", () => {
  it("requires a reason, and keeps it in the person's history", async () => {
    const person = await makeUser([{ role: "clinician", trustId: A.id }]);
    for (const input of [{}, { reason: "" }, { reason: "  " }, { reason: "x".repeat(501) }]) {
      expect(await suspendUser(pacsA, person.userId, input)).toMatchObject({ ok: false, error: { code: "VALIDATION", fieldErrors: { reason: [expect.any(String)] } } });
    }
    expect((await eventsAbout(person.userId)).map((e) => e.action)).not.toContain("user.suspend");
    const [before] = await ownerQuery<{ status: string }>(sql`select status from users where id = ${person.userId}`);
    expect(before?.status).toBe("active");
    expect(await suspendUser(pacsA, person.userId, { reason: "  Under investigation (ref HR-12)  " })).toMatchObject({ ok: true });
    const page = await getUser(pacsA, person.userId);
    expect(page.status).toBe("suspended");
    const suspended = (await getUserHistory(pacsA, person.userId)).find((h) => h.action === "user.suspend");
    expect(suspended?.details).toMatchObject({ reason: "Under investigation (ref HR-12)", after: { status: "suspended" } });
  });

  it("another trust's PACS manager cannot suspend trust A's person", async () => {
    const person = await makeUser([{ role: "clinician", trustId: A.id }]);
    expect(await suspendUser(pacsB, person.userId, { reason: "Not theirs" })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    const [row] = await ownerQuery<{ status: string }>(sql`select status from users where id = ${person.userId}`);
    expect(row?.status).toBe("active");
  });
});

describe("the CSV intake's set-password links", () => {
  it("gives each new person (not an existing one) a single-use link, returned once and audited in the import", async () => {
    const existing = await makeUser([], { homeTrustId: A.id });
    const stamp = Date.now().toString(36);
    const csv = [
      "email,name,role,trust,department,valid_from,valid_until,job_role_code",
      `ana.${stamp}@intake.example,Ana Silva,clinician,${A.odsCode},,${day(0)},${day(90)},`,
      `ana.${stamp}@intake.example,Ana Silva,mdt_coordinator,${A.odsCode},,${day(0)},,`,
      `ben.${stamp}@intake.example,Ben Okafor,radiographer,${A.odsCode},,${day(0)},,`,
      `${existing.email},${existing.name},clinician,${A.odsCode},,${day(0)},${day(30)},`,
    ].join("\r\n");
    const result = await commitImport(pacsA, csv);
    expect(result).toMatchObject({ ok: true, data: { created: 2, granted: 4 } });
    if (!result.ok) return;
    const links = result.data.links;
    expect(links.map((l) => l.email).sort()).toEqual([`ana.${stamp}@intake.example`, `ben.${stamp}@intake.example`]);
    // Only hashes are stored: the token itself is nowhere in the database.
    const stored = await ownerQuery<{ token_hash: string; purpose: string }>(sql`select token_hash, purpose from password_tokens where user_id in (${links[0]?.userId}, ${links[1]?.userId})`);
    expect(stored).toHaveLength(2);
    expect(stored.every((t) => t.purpose === "invite" && !links.some((l) => l.token === t.token_hash))).toBe(true);
    for (const link of links) {
      expect(await inspectPasswordToken(link.token)).toMatchObject({ email: link.email, purpose: "invite" });
      const events = await eventsAbout(link.userId);
      expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["user.create", "user.password_link"]));
      expect(events.find((e) => e.action === "user.password_link")).toMatchObject({ source_trust_id: A.id, details: { purpose: "invite" } });
    }
    expect((await eventsAbout(existing.userId)).map((e) => e.action)).not.toContain("user.password_link");
    const [importEvent] = await ownerQuery<{ details: Record<string, unknown> }>(sql`select details from audit_events where action = 'user.import' order by seq desc limit 1`);
    expect(importEvent?.details).toMatchObject({ created: 2, setPasswordLinks: 2 });
    // A link works once.
    const ana = links.find((l) => l.name === "Ana Silva");
    expect(await setPasswordWithToken({ token: ana?.token, password: "a long enough passphrase 42", confirm: "a long enough passphrase 42" }, { ip: null, userAgent: null })).toMatchObject({ ok: true });
    expect(await setPasswordWithToken({ token: ana?.token, password: "a long enough passphrase 42", confirm: "a long enough passphrase 42" }, { ip: null, userAgent: null })).toMatchObject({ ok: false });
    // Importing the same file again makes nobody and no link.
    expect(await commitImport(pacsA, csv)).toMatchObject({ ok: true, data: { created: 0, links: [] } });
  });
});

describe("a leaving date in the future", () => {
  async function openSession(ctx: Ctx): Promise<string> {
    const [row] = await ownerQuery<{ id: string }>(sql`insert into user_sessions (user_id, expires_at) values (${ctx.userId}, now() + interval '1 hour') returning id`);
    if (!row) throw new Error("no session");
    return row.id;
  }
  const client = { ip: "127.0.0.1", userAgent: "vitest" };

  it("keeps the person active until the end of their last London day, then the job makes them a leaver", async () => {
    const person = await makeUser([{ role: "clinician", trustId: A.id }]);
    await grantRole(pacsB, { email: person.email, role: "clinician", trustId: B.id, validFrom: day(-1), validUntil: day(90) });
    const lastDay = day(3);
    expect(await setLeavingDate(pacsA, person.userId, { lastDay })).toMatchObject({ ok: true });
    const leavesAt = endOfLondonDay(lastDay);
    const session = await openSession(person);
    // Before the day ends: nothing happens, they work as usual.
    expect(await applyDueLeavers(new Date(leavesAt.getTime() - 1))).toEqual({ left: [] });
    expect(await loadSession(session)).not.toBeNull();
    expect(await signInWithPassword({ email: person.email, password: testPassword }, client)).toMatchObject({ ok: true });
    const page = await getUser(pacsA, person.userId);
    expect(page.status).toBe("active");
    expect(page.leavesAt?.getTime()).toBe(leavesAt.getTime());
    // When it has ended (time injected): the job records them as a leaver, once.
    expect(await applyDueLeavers(leavesAt)).toEqual({ left: [person.userId] });
    expect(await applyDueLeavers(new Date(leavesAt.getTime() + 60_000))).toEqual({ left: [] });
    const [row] = await ownerQuery<{ status: string; leaves_at: Date | null }>(sql`select status, leaves_at from users where id = ${person.userId}`);
    expect(row).toEqual({ status: "left", leaves_at: null });
    // Every role at every trust ends at the leaving instant; every session ends.
    const roles = await ownerQuery<{ revoked_at: Date }>(sql`select revoked_at from role_assignments where user_id = ${person.userId}`);
    expect(roles.map((r) => new Date(r.revoked_at).getTime())).toEqual([leavesAt.getTime(), leavesAt.getTime()]);
    expect(await loadSession(session)).toBeNull();
    const events = await eventsAbout(person.userId);
    expect(events.find((e) => e.action === "user.leaving_date_set")).toMatchObject({ source_trust_id: A.id, details: { after: { leavesAt: leavesAt.toISOString() } } });
    expect(events.find((e) => e.action === "user.leaver")).toMatchObject({ details: { reason: "leaving_date", before: { status: "active", leavesAt: leavesAt.toISOString() }, endedRoles: 2 } });
    expect(events.filter((e) => e.action === "role.revoke").map((e) => e.source_trust_id).sort()).toEqual([A.id, B.id].sort());
  });

  it("refuses sign-in and ends sessions as soon as the day has passed, before the job has run", async () => {
    const person = await makeUser([{ role: "clinician", trustId: A.id }]);
    expect(await setLeavingDate(pacsA, person.userId, { lastDay: day(1) })).toMatchObject({ ok: true });
    const session = await openSession(person);
    expect(await loadSession(session)).not.toBeNull();
    // The day passes (moved back in the database: the server's clock is the one sign-in reads).
    await ownerQuery(sql`update users set leaves_at = now() - interval '1 minute' where id = ${person.userId}`);
    expect(await signInWithPassword({ email: person.email, password: testPassword }, client)).toMatchObject({ ok: false, reason: "inactive" });
    expect(await loadSession(session)).toBeNull();
    const [ended] = await ownerQuery<{ end_reason: string }>(sql`select end_reason from user_sessions where id = ${session}`);
    expect(ended?.end_reason).toBe("user_left");
  });

  it.each<[string, () => Record<string, string>]>([
    ["no day", () => ({})],
    ["yesterday", () => ({ lastDay: day(-1) })],
    ["not a date", () => ({ lastDay: "soon" })],
  ])("refuses %s beside the field and changes nothing", async (_what, input) => {
    const person = await makeUser([{ role: "clinician", trustId: A.id }]);
    const fields = input();
    expect(await setLeavingDate(pacsA, person.userId, fields)).toMatchObject({ ok: false, error: { code: "VALIDATION", fieldErrors: { lastDay: [expect.any(String)] } } });
    const [row] = await ownerQuery<{ leaves_at: Date | null }>(sql`select leaves_at from users where id = ${person.userId}`);
    expect(row?.leaves_at).toBeNull();
  });

  it("can be cleared; a cleared date makes no leaver", async () => {
    const person = await makeUser([{ role: "clinician", trustId: A.id }]);
    expect(await setLeavingDate(pacsA, person.userId, { lastDay: day(2) })).toMatchObject({ ok: true });
    expect(await setLeavingDate(pacsA, person.userId, { lastDay: "" })).toMatchObject({ ok: true });
    expect(await applyDueLeavers(endOfLondonDay(day(10)))).not.toMatchObject({ left: expect.arrayContaining([person.userId]) });
    const actions = (await eventsAbout(person.userId)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["user.leaving_date_set", "user.leaving_date_cleared"]));
  });

  it("another trust's PACS manager cannot set one: NOT_FOUND, nothing changed", async () => {
    const person = await makeUser([{ role: "clinician", trustId: A.id }]);
    expect(await setLeavingDate(pacsB, person.userId, { lastDay: day(5) })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    const [row] = await ownerQuery<{ leaves_at: Date | null }>(sql`select leaves_at from users where id = ${person.userId}`);
    expect(row?.leaves_at).toBeNull();
  });

  it("mark as leaver now clears a leaving date, so a reactivated person stays active", async () => {
    const person = await makeUser([{ role: "clinician", trustId: A.id }]);
    await setLeavingDate(pacsA, person.userId, { lastDay: day(2) });
    expect(await markLeaver(pacsA, person.userId)).toMatchObject({ ok: true, data: { endedRoles: 1 } });
    const [row] = await ownerQuery<{ status: string; leaves_at: Date | null }>(sql`select status, leaves_at from users where id = ${person.userId}`);
    expect(row).toEqual({ status: "left", leaves_at: null });
  });
});
