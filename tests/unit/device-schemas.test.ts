import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aeTitle, deviceInput } from "@/lib/devices/schemas";

const site = "00000000-0000-4000-8000-000000000001";
const valid = { aeTitle: "RHM_CT1", kind: "modality", modality: "CT", siteId: site, departmentId: "", host: "", description: "" };

describe("an AE title", () => {
  it.each(["A", "RHM_CT1", "SIXTEEN_CHARS_AB", "CT 1", "ws-1.a+b@c!~"])("accepts %j", (title) => {
    expect(aeTitle.parse(title)).toBe(title);
  });

  it("drops leading and trailing spaces (not significant in DICOM), keeping inner ones and case", () => {
    expect(aeTitle.parse("  Rhm Ct1   ")).toBe("Rhm Ct1");
    expect(aeTitle.parse(`${" ".repeat(10)}SIXTEEN_CHARS_AB `)).toBe("SIXTEEN_CHARS_AB");
  });

  it.each([
    ["", "Enter the AE title."],
    ["    ", "Enter the AE title."],
    ["SEVENTEEN_CHARS_X", "An AE title has at most 16 characters."],
    ["RHM\\CT1", "An AE title cannot contain a backslash (\\)."],
    ["RHM\tCT1", "printable ASCII"],
    ["RHM\nCT1", "printable ASCII"],
    ["SCANNER_É", "printable ASCII"],
    ["\u007f", "printable ASCII"],
  ])("refuses %j", (title, message) => {
    const result = aeTitle.safeParse(title);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join(" ")).toContain(message);
  });

  it("holds for any string: a parsed title is 1 to 16 printable ASCII characters without a backslash or padding", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 24 }), (s) => {
        const result = aeTitle.safeParse(s);
        if (!result.success) return;
        expect(result.data).toMatch(/^[ -[\]-~]{1,16}$/);
        expect(result.data).toBe(result.data.trim());
      }),
    );
  });
});

describe("a device", () => {
  it.each([
    [{ aeTitle: undefined }, "aeTitle"],
    [{ kind: "viewer-ish" }, "kind"],
    [{ kind: "modality", modality: "" }, "modality"],
    [{ modality: "ZZ" }, "modality"],
    [{ siteId: "" }, "siteId"],
    [{ departmentId: "42" }, "departmentId"],
    [{ host: "not a host" }, "host"],
    [{ host: "-leading.example" }, "host"],
    [{ host: "a..b.example" }, "host"],
    [{ description: "x".repeat(501) }, "description"],
  ])("with %j names its field", (over, field) => {
    const result = deviceInput.safeParse({ ...valid, ...over });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path[0])).toContain(field);
  });

  it("needs no modality unless it is a scanner, and stores blanks as null", () => {
    expect(deviceInput.parse({ ...valid, kind: "workstation", modality: "" })).toMatchObject({ modality: null, departmentId: null, host: null });
  });

  it.each(["10.20.30.40", "fe80::1", "CT1.Example.NHS.uk", "pacs"])("accepts the host %j, lower-cased", (host) => {
    expect(deviceInput.parse({ ...valid, host }).host).toBe(host.toLowerCase());
  });

  it("never throws, whatever it is sent", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom("aeTitle", "kind", "modality", "siteId", "departmentId", "host", "description", "__proto__"), fc.anything()), (input) => {
        expect(() => deviceInput.safeParse({ ...valid, ...input })).not.toThrow();
      }),
    );
  });
});
