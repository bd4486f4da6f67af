import { describe, expect, it } from "vitest";
import { auditFilter } from "@/lib/audit/search-filter";
import { nulPaths } from "@/lib/text-input";
import { userFilter } from "@/lib/users/schemas";

describe("nulPaths", () => {
  it("finds every string holding a NUL character, at any depth, by its path", () => {
    const body = { events: [{ note: "ok" }, { source: { workstation: "QAH\u0000RAD" }, tags: ["a", "\u0000"] }], name: "x\u0000" };
    expect(nulPaths(body)).toEqual([["events", 1, "source", "workstation"], ["events", 1, "tags", 1], ["name"]]);
    expect(nulPaths("\u0000")).toEqual([[]]);
  });

  it("passes clean input, numbers, nulls and objects that are not plain data", () => {
    expect(nulPaths({ a: "text", b: 1, c: null, d: [true, "é"], e: new Date() })).toEqual([]);
  });
});

describe("filters from the address bar", () => {
  it("ignore a NUL character in a list's search words, and name the field in the audit search", () => {
    expect(userFilter.parse({ q: "smith\u0000" }).q).toBe("");
    const audit = auditFilter.safeParse({ user: "a\u0000@rhm.example", action: "study.view" });
    expect(audit.success ? [] : audit.error.issues.map((i) => i.path.join("."))).toEqual(["user"]);
  });
});
