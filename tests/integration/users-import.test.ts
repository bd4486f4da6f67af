// CSV import of users: a preview with each row's problems, all-or-nothing commit, idempotent on email.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";
import { commitImport, previewImport } from "@/lib/users/import";

let A: TestTrust;
let B: TestTrust;
let pacsA: Ctx;
let existing: Ctx;

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const header = "email,name,role,trust,department,valid_from,valid_until,job_role_code";

beforeAll(async () => {
  A = await makeTrust();
  B = await makeTrust();
  pacsA = await makeUser([{ role: "pacs_manager", trustId: A.id }]);
  existing = await makeUser([{ role: "clinician", trustId: B.id }]);
});

const counts = async () => {
  const [row] = await ownerQuery<{ users: number; roles: number; events: number }>(
    sql`select (select count(*)::int from users) as users, (select count(*)::int from role_assignments) as roles, (select count(*)::int from audit_events) as events`,
  );
  return row;
};

describe("importing users from CSV", () => {
  it("previews each row's problems and imports nothing while any row is wrong", async () => {
    const csv = [
      header,
      `ok.one@intake.example,Dr Ada Okafor,radiologist,${A.odsCode},Radiology,${isoDay(0)},${isoDay(120)},`,
      `not-an-email,Ben Hall,radiographer,${A.odsCode},,${isoDay(0)},,`,
      `cara.lee@intake.example,Cara Lee,surgeon,${A.odsCode},,${isoDay(0)},,`,
      `ok.one@intake.example,Dr Ada Okafor,radiologist,${A.odsCode},Radiology,${isoDay(0)},${isoDay(120)},`,
      `dev.shah@intake.example,Dev Shah,clinician,${A.odsCode},,31/02/2026,,`,
      `eve.fox@intake.example,Eve Fox,clinician,${B.odsCode},,${isoDay(0)},,`,
      `finn.gray@intake.example,Finn Gray,ig_officer,${A.odsCode},,${isoDay(0)},,`,
      `gia.hart@intake.example,Gia Hart,radiographer,${A.odsCode},Nonexistent Unit,${isoDay(0)},,`,
    ].join("\n");
    const before = await counts();
    const preview = await previewImport(pacsA, csv);
    expect(preview.ok).toBe(true);
    if (!preview.ok) return;
    const problems = Object.fromEntries(preview.data.rows.map((r) => [r.line, r.problems.join(" ")]));
    expect(problems[2]).toBe("");
    expect(problems[3]).toMatch(/^email:/);
    expect(problems[4]).toMatch(/^role:/);
    expect(problems[5]).toMatch(/Duplicate of line 2/);
    expect(problems[6]).toMatch(/valid_from:/);
    expect(problems[7]).toMatch(/trust:/);
    expect(problems[8]).toMatch(/role:/);
    expect(problems[9]).toMatch(/department:/);
    expect(preview.data.problemRows).toBe(7);
    const commit = await commitImport(pacsA, csv);
    expect(commit).toMatchObject({ ok: false, error: { code: "VALIDATION" } });
    expect(await counts()).toEqual(before);
  });

  it("imports a good file once; importing it again changes nothing", async () => {
    const csv = [
      header,
      `new.starter@intake.example,Dr Noor Haddad,clinician,${A.odsCode},Radiology,${isoDay(0)},${isoDay(120)},`,
      `new.starter@intake.example,Dr Noor Haddad,mdt_coordinator,${A.odsCode},,${isoDay(0)},,R8008`,
      `${existing.email.toUpperCase()},${existing.name},clinician,${A.odsCode},,${isoDay(-3)},${isoDay(30)},`,
      `rad.one@intake.example,Sam Reid,Reporting radiographer,${A.odsCode},,${isoDay(0)},,`,
    ].join("\r\n");
    const preview = await previewImport(pacsA, csv);
    expect(preview).toMatchObject({ ok: true, data: { problemRows: 0, counts: { "create person and grant role": 3, "grant role to existing person": 1 } } });
    const first = await commitImport(pacsA, csv);
    expect(first).toMatchObject({ ok: true, data: { created: 2, granted: 4, unchanged: 0 } });
    const afterFirst = await counts();
    const [noor] = await ownerQuery<{ home: string; roles: number }>(
      sql`select u.home_trust_id as home, (select count(*)::int from role_assignments ra where ra.user_id = u.id) as roles from users u where email = 'new.starter@intake.example'`,
    );
    expect(noor).toEqual({ home: A.id, roles: 2 });
    const again = await previewImport(pacsA, csv);
    expect(again).toMatchObject({ ok: true, data: { problemRows: 0, counts: { "already imported: nothing to do": 4 } } });
    const second = await commitImport(pacsA, csv);
    expect(second).toMatchObject({ ok: true, data: { created: 0, granted: 0, unchanged: 4 } });
    const afterSecond = await counts();
    expect(afterSecond?.users).toBe(afterFirst?.users);
    expect(afterSecond?.roles).toBe(afterFirst?.roles);
  });

  it.each([
    ["an empty file", ""],
    ["a file without the required columns", "email,name\na@b.example,A B"],
    ["a header and no rows", header],
    ["broken quoting", `${header}\n"unterminated,x,y`],
  ])("refuses %s naming the file", async (_what, csv) => {
    const result = await previewImport(pacsA, csv);
    expect(result).toMatchObject({ ok: false, error: { code: "VALIDATION", fieldErrors: { file: [expect.any(String)] } } });
  });

  it("refuses a caller who grants nothing", async () => {
    const ig = await makeUser([{ role: "ig_officer", trustId: A.id }]);
    expect(await previewImport(ig, `${header}\nx@y.example,X Y,clinician,${A.odsCode},,${isoDay(0)},,`)).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
  });
});
