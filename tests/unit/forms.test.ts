import { afterEach, describe, expect, it } from "vitest";
import { readForm } from "@/lib/forms";

describe("readForm", () => {
  it("builds objects and arrays from dotted names, collecting repeated fields marked []", () => {
    const form = new FormData();
    form.append("policy.name", "Regional");
    form.append("draft.rules.0.id", "a");
    form.append("draft.rules.0.modalities[]", "CT");
    form.append("draft.rules.0.modalities[]", "MR");
    form.append("draft.rules.2.id", "c");
    form.append("draft.rules.2.purposes[]", "mdt");
    form.append("modalities[]", "US");
    form.append("$ACTION_ID_x", "");
    expect(readForm(form)).toEqual({
      ok: true,
      data: {
        policy: { name: "Regional" },
        draft: { rules: [{ id: "a", modalities: ["CT", "MR"] }, { id: "c", purposes: ["mdt"] }] },
        modalities: ["US"],
      },
    });
  });

  it("keeps plain fields as they came, and files as files", () => {
    const form = new FormData();
    const file = new File(["email\n"], "people.csv");
    form.append("name", "Salisbury");
    form.append("file", file);
    const read = readForm(form);
    expect(read.ok && read.data).toEqual({ name: "Salisbury", file });
  });

  it("refuses a name nested deeper than any form", () => {
    const form = new FormData();
    form.append("a.b.c.d.e.f.g.h", "x");
    expect(readForm(form)).toMatchObject({ ok: false, error: { code: "VALIDATION" } });
  });
});

// The create-policy action once wrote `__proto__.workstation` onto Object.prototype: every object
// of the process then had a workstation. Each reserved name, anywhere in a field's path, is refused.
describe("readForm against prototype pollution", () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).workstation;
  });

  const hostile = [
    "__proto__.workstation",
    "__proto__[workstation]",
    "constructor.prototype.workstation",
    "constructor[prototype][workstation]",
    "draft.rules.0.__proto__.workstation",
    "draft[rules][0][constructor][prototype][workstation]",
    "policy.prototype.workstation",
    "policy.prototype",
  ];

  it.each(hostile)("refuses %s, names it, and leaves Object.prototype untouched", (name) => {
    const form = new FormData();
    form.append("policy.name", "Regional");
    form.append(name, "pwned");
    const read = readForm(form);
    expect(({}) as Record<string, unknown>).not.toHaveProperty("workstation");
    expect((({}) as Record<string, unknown>).workstation).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, "workstation")).toBe(false);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error.code).toBe("VALIDATION");
    expect(read.error.message).toContain(`"${name}"`);
    expect(Object.keys(read.error.fieldErrors ?? {})).toEqual([name]);
    expect(read.error.fieldErrors?.[name]?.[0]).toContain("reserved name");
  });

  it.each(["__proto__", "constructor", "prototype"])("refuses a field called %s outright", (name) => {
    const form = new FormData();
    form.append(name, "{\"workstation\":\"pwned\"}");
    const read = readForm(form);
    expect(read.ok).toBe(false);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect((({}) as Record<string, unknown>).workstation).toBeUndefined();
  });
});
