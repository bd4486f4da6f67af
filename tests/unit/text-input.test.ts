import { describe, expect, it } from "vitest";
import { auditFilter } from "@/lib/audit/search-filter";
import { isStorableText, textProblems, tooDeepMessage, unstorableKeyMessage, unstorableTextMessage } from "@/lib/text-input";
import { forbiddenKeyMessage } from "@/lib/untrusted-keys";
import { userFilter } from "@/lib/users/schemas";

const paths = (value: unknown, options?: Parameters<typeof textProblems>[1]) => textProblems(value, options).map((p) => p.path);

/** `depth` arrays inside each other, the innermost holding `inner`. */
function nested(depth: number, inner: unknown = "x"): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe("isStorableText", () => {
  it.each([
    ["NUL", "QAH\u0000RAD"],
    ["a lone high surrogate", "\ud800"],
    ["a lone low surrogate", "\udc00"],
    ["a high surrogate followed by a letter", "a\ud83db"],
    ["a high surrogate at the end", "abc\udbff"],
    ["a low surrogate before its high one", "\ude00\ud83d"],
    ["two high surrogates", "\ud83d\ud83d\ude00"],
    ["a byte-order mark at the start (the embedded database reads it back without)", "\ufeffQAH-RAD-07"],
  ])("refuses %s", (_what, s) => {
    expect(isStorableText(s)).toBe(false);
  });

  it("takes any well-formed text: accents, CJK, emoji (surrogate pairs), controls other than NUL", () => {
    for (const s of ["", "é", "放射線科", "\ud83d\ude00 CT 🩻", "tab\there\nnewline\r", "\u0001\u001f\u007f", "\uffff\ufffd", "zero\ufeffwidth"]) expect(isStorableText(s)).toBe(true);
  });
});

describe("textProblems", () => {
  it("finds every string PostgreSQL cannot store exactly, at any depth, by its path, in document order", () => {
    const body = { events: [{ note: "ok" }, { source: { workstation: "QAH\u0000RAD" }, tags: ["a", "\ud800"] }], name: "x\udc00" };
    expect(paths(body)).toEqual([["events", 1, "source", "workstation"], ["events", 1, "tags", 1], ["name"]]);
    expect(textProblems(body)[0]?.message).toBe(unstorableTextMessage);
    expect(paths("\u0000")).toEqual([[]]);
  });

  it("refuses member names that reach a prototype, or that hold NUL or a lone surrogate", () => {
    // As JSON.parse makes them: "__proto__" is an own member, not the prototype.
    const body = JSON.parse('{"events":[{"__proto__":{"x":1}},{"constructor":"a","prototype":"b"}],"a\\ud800":1,"b\\u0000":2,"ok":"\\ud83d\\ude00"}') as unknown;
    expect(textProblems(body)).toEqual([
      { path: ["events", 0, "__proto__"], message: forbiddenKeyMessage },
      { path: ["events", 1, "constructor"], message: forbiddenKeyMessage },
      { path: ["events", 1, "prototype"], message: forbiddenKeyMessage },
      { path: ["a\ud800"], message: unstorableKeyMessage },
      { path: ["b\u0000"], message: unstorableKeyMessage },
    ]);
  });

  it("passes clean input, numbers, nulls and objects that are not plain data", () => {
    expect(textProblems({ a: "text", b: 1, c: null, d: [true, "é", "\ud83d\ude00"], e: new Date(), f: Object.create(null) as object })).toEqual([]);
  });

  it("bounds nesting (the value itself is level 1), naming where it goes too deep", () => {
    expect(textProblems(nested(3), { maxDepth: 3 })).toEqual([]);
    expect(textProblems(nested(4), { maxDepth: 3 })).toEqual([{ path: [0, 0, 0], message: tooDeepMessage(3) }]);
    expect(textProblems({ a: { b: { c: {} } } }, { maxDepth: 3 })).toEqual([{ path: ["a", "b", "c"], message: tooDeepMessage(3) }]);
    // Strings are not levels: text at the deepest level allowed is still checked.
    expect(paths(nested(3, "\u0000"), { maxDepth: 3 })).toEqual([[0, 0, 0]]);
  });

  it("scans a body nested 100,000 deep without overflowing the stack (the default limit is 32)", () => {
    const deep = JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`) as unknown;
    const found = textProblems(deep);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toHaveLength(32);
    expect(textProblems(nested(32))).toEqual([]);
  });

  it("stops at `limit` problems", () => {
    expect(textProblems(Array.from({ length: 1_000 }, () => "\u0000"), { limit: 5 })).toHaveLength(5);
  });
});

describe("filters from the address bar", () => {
  it("ignore a NUL character or a lone surrogate in a list's search words, and name the field in the audit search", () => {
    expect(userFilter.parse({ q: "smith\u0000" }).q).toBe("");
    expect(userFilter.parse({ q: "smith\ud800" }).q).toBe("");
    const audit = auditFilter.safeParse({ user: "a\u0000@rhm.example", action: "study.view\udc00" });
    expect(audit.success ? [] : audit.error.issues.map((i) => i.path.join("."))).toEqual(["user", "action"]);
  });
});
