// A role's last day lasts until the end of that day in London, in summer time too (issue 12): the
// grant by email and the CSV import store 00:00 London after the last day, the user's page reads
// the day back, and the role is in force at 23:30 London on the day and not at 00:30 the next.
import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";
import { formatDay, lastLondonDayOf } from "@/lib/calendar";
import { grantRole } from "@/lib/users/commands";
import { commitImport } from "@/lib/users/import";
import { getUser } from "@/lib/users/queries";

let A: TestTrust;
let B: TestTrust;
let pacsB: Ctx;

beforeAll(async () => {
  A = await makeTrust();
  B = await makeTrust();
  pacsB = await makeUser([{ role: "pacs_manager", trustId: B.id }]);
});

afterEach(() => {
  vi.useRealTimers();
});

// 23:30 London on 31 March 2027 (BST) is 22:30 UTC; 00:30 London on 1 April is 23:30 UTC on 31 March.
const lastEvening = new Date("2027-03-31T22:30:00Z");
const nextNight = new Date("2027-04-01T00:30:00+01:00");

/** The B role of `userId` as its page shows it, at the instant `at` (only Date is faked). */
async function roleAt(userId: string, at: Date) {
  vi.useFakeTimers({ toFake: ["Date"], now: at });
  try {
    const page = await getUser(pacsB, userId);
    const role = page.roles.find((r) => r.trust?.id === B.id);
    if (!role) throw new Error("no role at B");
    return { state: role.state, lastDay: role.validUntil ? formatDay(lastLondonDayOf(role.validUntil)) : null, validUntil: role.validUntil };
  } finally {
    vi.useRealTimers();
  }
}

async function expectLastDayIs31March(userId: string) {
  const evening = await roleAt(userId, lastEvening);
  expect(evening.validUntil?.toISOString()).toBe("2027-03-31T23:00:00.000Z");
  expect(evening.lastDay).toBe("31 Mar 2027");
  expect(evening.state).toBe("in force");
  expect((await roleAt(userId, nextNight)).state).toBe("ended");
  // The session's role check (lib/identity/sign-in.ts) asks the database the same question.
  const inForce = async (at: Date) =>
    (
      await ownerQuery<{ n: number }>(
        sql`select count(*)::int as n from role_assignments where user_id = ${userId} and trust_id = ${B.id} and revoked_at is null and valid_from <= ${at.toISOString()}::timestamptz and (valid_until is null or valid_until > ${at.toISOString()}::timestamptz)`,
      )
    )[0]?.n;
  expect(await inForce(lastEvening)).toBe(1);
  expect(await inForce(nextNight)).toBe(0);
}

describe("a last day in summer time", () => {
  it("granted by email as 31/03/2027 shows 31 Mar 2027 and lasts until midnight London", async () => {
    const doctor = await makeUser([{ role: "clinician", trustId: A.id }]);
    const result = await grantRole(pacsB, { email: doctor.email, role: "clinician", trustId: B.id, validFrom: "2027-03-01", validUntil: "31/03/2027" });
    expect(result).toMatchObject({ ok: true });
    await expectLastDayIs31March(doctor.userId);
    // The first day starts at 00:00 London too: 1 March is winter time, so midnight UTC.
    const [row] = await ownerQuery<{ valid_from: Date | string }>(sql`select valid_from from role_assignments where user_id = ${doctor.userId} and trust_id = ${B.id}`);
    expect(new Date(row!.valid_from).toISOString()).toBe("2027-03-01T00:00:00.000Z");
  });

  it("imported from CSV as 31/03/2027 shows 31 Mar 2027 and lasts until midnight London; importing it again changes nothing", async () => {
    const email = `summer.${Date.now().toString(36)}@intake.example`;
    const csv = ["email,name,role,trust,department,valid_from,valid_until,job_role_code", `${email},Dr Sam Summer,clinician,${B.odsCode},,2027-03-29,31/03/2027,`].join("\n");
    expect(await commitImport(pacsB, csv)).toMatchObject({ ok: true });
    const [user] = await ownerQuery<{ id: string }>(sql`select id from users where email = ${email}`);
    await expectLastDayIs31March(user!.id);
    // 29 March is the first day after the clocks went forward: it starts at 23:00 UTC on the 28th.
    const [row] = await ownerQuery<{ valid_from: Date | string }>(sql`select valid_from from role_assignments where user_id = ${user!.id}`);
    expect(new Date(row!.valid_from).toISOString()).toBe("2027-03-28T23:00:00.000Z");
    expect(await commitImport(pacsB, csv)).toMatchObject({ ok: true });
    const [count] = await ownerQuery<{ n: number }>(sql`select count(*)::int as n from role_assignments where user_id = ${user!.id}`);
    expect(count?.n).toBe(1);
  });

  it("migration 0019 moves windows stored as UTC midnights to London midnights, and only those", async () => {
    const doctor = await makeUser([], { homeTrustId: B.id });
    const other = await makeUser([], { homeTrustId: B.id });
    // As the old code stored a last day of 31 March 2027: UTC midnight after it.
    await ownerQuery(
      sql`insert into role_assignments (user_id, role, trust_id, valid_from, valid_until) values
        (${doctor.userId}, 'clinician', ${B.id}, '2027-03-29T00:00:00Z', '2027-04-01T00:00:00Z'),
        (${other.userId}, 'clinician', ${B.id}, '2027-03-29T09:15:00Z', '2027-12-01T00:00:00Z')`,
    );
    const migration = readFileSync(path.join(process.cwd(), "db/migrations/0019_role_days_london.sql"), "utf8");
    for (const statement of migration.split("--> statement-breakpoint")) await ownerQuery(sql.raw(statement));
    await expectLastDayIs31March(doctor.userId);
    const rows = await ownerQuery<{ user_id: string; valid_from: Date | string; valid_until: Date | string }>(
      sql`select user_id, valid_from, valid_until from role_assignments where user_id in (${doctor.userId}, ${other.userId})`,
    );
    const iso = (userId: string) => rows.filter((r) => r.user_id === userId).map((r) => [new Date(r.valid_from).toISOString(), new Date(r.valid_until).toISOString()]);
    expect(iso(doctor.userId)).toEqual([["2027-03-28T23:00:00.000Z", "2027-03-31T23:00:00.000Z"]]);
    // Not a UTC midnight: left alone; a winter UTC midnight is already London midnight.
    expect(iso(other.userId)).toEqual([["2027-03-29T09:15:00.000Z", "2027-12-01T00:00:00.000Z"]]);
  });
});
