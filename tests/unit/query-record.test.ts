import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { queryRecord } from "@/lib/pages";

afterEach(() => {
  delete (Object.prototype as Record<string, unknown>).workstation;
});

describe("queryRecord", () => {
  it("keeps a query string's parameters, repeated ones as lists", () => {
    expect(queryRecord(new URLSearchParams("q=salis&status=active&status=draft"))).toEqual({ q: "salis", status: ["active", "draft"] });
    expect(queryRecord({ q: "salis", view: undefined })).toEqual({ q: "salis", view: undefined });
  });

  const hostile = ["__proto__", "constructor", "prototype", "__proto__[workstation]", "constructor.prototype.workstation", "a[prototype]"];
  it.each(hostile)("refuses a parameter %s naming it, from the address bar or a page's searchParams", (name) => {
    for (const params of [new URLSearchParams([["q", "x"], [name, "pwned"]]), Object.fromEntries([["q", "x"], [name, "pwned"]])]) {
      let refused: unknown;
      try {
        queryRecord(params);
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(AppError);
      expect((refused as AppError).code).toBe("VALIDATION");
      expect((refused as AppError).message).toContain(`"${name}"`);
      expect(Object.keys((refused as AppError).details?.fieldErrors ?? {})).toEqual([name]);
    }
    expect((({}) as Record<string, unknown>).workstation).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});
