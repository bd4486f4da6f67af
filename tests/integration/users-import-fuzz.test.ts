// Property tests of the user import's door: whatever a file holds, the import answers with a
// validation message naming the line and column (or the file), never an unexpected error, and
// writes every row or none.
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";
import { toCsv } from "@/lib/csv";
import { commitImport, importColumns, importMaxBytes, importMaxRows, previewImport } from "@/lib/users/import";

let A: TestTrust;
let pacsA: Ctx;

beforeAll(async () => {
  A = await makeTrust();
  pacsA = await makeUser([{ role: "pacs_manager", trustId: A.id }]);
});

afterEach(() => {
  delete (Object.prototype as Record<string, unknown>).workstation;
});

const counts = async () => {
  const [row] = await ownerQuery<{ users: number; roles: number; events: number }>(
    sql`select (select count(*)::int from users) as users, (select count(*)::int from role_assignments) as roles, (select count(*)::int from audit_events) as events`,
  );
  return row;
};

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const hostile = ["\u0000", "a\u0000b", "\ud800", "x\udc00y", "__proto__", "constructor", "prototype", '"', ",", "\r\n", "=HYPERLINK(1)", " ", "", "\ufeff"];
const cell = () =>
  fc.oneof(
    fc.constantFrom(...hostile),
    fc.string({ maxLength: 30 }),
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.constantFrom("radiologist", "clinician", "surgeon", isoDay(0), isoDay(30), "31/02/2026", "Radiology", "R8000"),
  );
const goodRow = fc.integer({ min: 0, max: 1e9 }).map((n) => [`fuzz.${n}@intake.example`, `Fuzz Person ${n}`, "clinician", "", "", isoDay(0), "", ""]);
const header = fc.oneof(
  fc.constant([...importColumns]),
  fc.shuffledSubarray([...importColumns, "__proto__", "constructor", "prototype", "Constructor", "extra"], { minLength: 1 }),
);

/**
 * Every problem a row reports names a column of the file; a refused file names the line and
 * column of each bad cell, or is refused as a whole (empty, no header, broken quoting).
 */
function expectNamed(result: Awaited<ReturnType<typeof previewImport>>, columns: string[]) {
  if (result.ok) {
    for (const row of result.data.rows) {
      expect(row.line).toBeGreaterThanOrEqual(2);
      for (const problem of row.problems) expect(columns).toContain(problem.slice(0, problem.indexOf(":")));
    }
    return;
  }
  expect(result.error.code).toBe("VALIDATION");
  expect(result.error.fieldErrors?.file?.length).toBeGreaterThan(0);
  for (const message of result.error.fieldErrors?.file ?? []) {
    const cell = /^Line (\d+), column ([^:]+):/.exec(message);
    if (cell) expect(columns.includes(cell[2] ?? "") || /^\d+$/.test(cell[2] ?? "")).toBe(true);
  }
}

describe("the user import against any file", () => {
  it("answers any table of cells with problems named by line and column, and writes all or nothing", async () => {
    await fc.assert(
      fc.asyncProperty(header, fc.array(fc.oneof(goodRow, fc.array(cell(), { minLength: 0, maxLength: 10 })), { minLength: 0, maxLength: 12 }), async (columns, rows) => {
        const csv = toCsv(columns, rows.map((r) => (r.length === 8 && r[2] === "clinician" && r[3] === "" ? [r[0], r[1], r[2], A.odsCode, "", r[5], "", ""] : r)));
        const before = await counts();
        const preview = await previewImport(pacsA, csv);
        expectNamed(preview, columns.map((c) => c.trim().toLowerCase()));
        const commit = await commitImport(pacsA, csv);
        expect(commit.ok || commit.error.code === "VALIDATION").toBe(true);
        if (!commit.ok) expect(await counts()).toEqual(before);
        if (preview.ok && preview.data.problemRows > 0) expect(commit.ok).toBe(false);
        expect((({}) as Record<string, unknown>).workstation).toBeUndefined();
      }),
      { numRuns: 40 },
    );
  });

  it("answers any text at all, valid CSV or not, without an unexpected error or a write", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: "binary", maxLength: 400 }), fc.array(cell(), { maxLength: 30 }).map((cells) => `${importColumns.join(",")}\n${cells.join("")}`)), async (csv) => {
        const before = await counts();
        const preview = await previewImport(pacsA, csv);
        expect(preview.ok || preview.error.code === "VALIDATION").toBe(true);
        const commit = await commitImport(pacsA, csv);
        expect(commit.ok || commit.error.code === "VALIDATION").toBe(true);
        if (!commit.ok) expect(await counts()).toEqual(before);
      }),
      { numRuns: 60 },
    );
  });

  it.each(["__proto__", "constructor", "prototype", "__PROTO__", " Constructor "])("refuses a %s header naming line 1 and its column, nothing written", async (name) => {
    const csv = `email,name,role,trust,valid_from,${name}\nx.y@intake.example,X Y,clinician,${A.odsCode},${isoDay(0)},pwned\n`;
    const before = await counts();
    for (const result of [await previewImport(pacsA, csv), await commitImport(pacsA, csv)]) {
      expect(result).toMatchObject({ ok: false, error: { code: "VALIDATION" } });
      if (result.ok) continue;
      expect(result.error.message).toMatch(/^Line 1, column 6: .*reserved name/);
    }
    expect(await counts()).toEqual(before);
    expect((({}) as Record<string, unknown>).workstation).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it("names the row and column of a NUL or half a surrogate pair, and imports nothing", async () => {
    const csv = toCsv(
      ["email", "name", "role", "trust", "valid_from"],
      [
        ["nul.one@intake.example", "Nul\u0000Name", "clinician", A.odsCode, isoDay(0)],
        ["half.pair@intake.example", "Half \ud800 Pair", "clinician", A.odsCode, isoDay(0)],
        ["fine.person@intake.example", "Fine Person", "clinician", A.odsCode, isoDay(0)],
      ],
    );
    const before = await counts();
    for (const result of [await previewImport(pacsA, csv), await commitImport(pacsA, csv)]) {
      expect(result).toMatchObject({
        ok: false,
        error: { code: "VALIDATION", fieldErrors: { file: [expect.stringMatching(/^Line 2, column name: must not contain a NUL character/), expect.stringMatching(/^Line 3, column name: is not UTF-8 text/)] } },
      });
    }
    expect(await counts()).toEqual(before);
  });

  it("refuses more rows than the limit with the count and the limit named, nothing written", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: importMaxRows + 1, max: importMaxRows + 3000 }), async (n) => {
        const csv = `${importColumns.join(",")}\n${`a@b.example,A B,clinician,${A.odsCode},,${isoDay(0)},,\n`.repeat(n)}`;
        const before = await counts();
        const result = await commitImport(pacsA, csv);
        expect(result).toMatchObject({ ok: false, error: { code: "VALIDATION" } });
        if (!result.ok) expect(result.error.message).toContain(importMaxRows.toLocaleString("en-GB"));
        expect(await counts()).toEqual(before);
      }),
      { numRuns: 3 },
    );
  });

  it("refuses a file over the byte limit naming the limit in MB, nothing written", async () => {
    const filler = "x".repeat(importMaxBytes);
    const result = await previewImport(pacsA, `${importColumns.join(",")}\n${filler}`);
    expect(result).toMatchObject({ ok: false, error: { code: "VALIDATION", message: expect.stringMatching(/at most 2 MB \(5,000 people\)/) } });
    // Bytes, not characters: 700,000 three-byte characters are 2.1 MB.
    const wide = await previewImport(pacsA, `${importColumns.join(",")}\n${"€".repeat(700_000)}`);
    expect(wide).toMatchObject({ ok: false, error: { code: "VALIDATION", message: expect.stringMatching(/too large/) } });
  });
});
