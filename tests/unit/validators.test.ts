import { describe, expect, it } from "vitest";
import { departmentInput, odsCode, siteInput, trustInput } from "@/lib/trusts/schemas";
import { credentialsInput } from "@/lib/identity/schemas";

function fieldsOf(result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }): string[] {
  return result.success ? [] : [...new Set(result.error!.issues.map((i) => i.path.map(String).join(".")))];
}

describe("ODS codes", () => {
  it.each(["RHM", "RHU", "RNZ", "R1F", "RN5", "RN541", "rn5", " R1F "])("accepts %j", (code) => {
    expect(odsCode.safeParse(code).success).toBe(true);
  });
  it("upper-cases and trims", () => {
    expect(odsCode.parse(" rn5 ")).toBe("RN5");
  });
  it.each(["", "R1", "RN5412", "RN-5", "R 1F", "RÑ5", "R1F;", 42, null])("rejects %j", (code) => {
    expect(odsCode.safeParse(code).success).toBe(false);
  });
});

const goodTrust = { odsCode: "RN5", name: "Hampshire Hospitals NHS Foundation Trust", status: "onboarding" };
const goodSite = { code: "RN541", name: "Royal Hampshire County Hospital", town: "Winchester", postcode: "SO22 5DG", status: "active" };
const goodDept = { siteId: "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b", name: "Imaging Department", modalities: ["CT", "MR"], status: "active" };

describe("trust, site and department input", () => {
  it("accepts good input", () => {
    expect(trustInput.safeParse(goodTrust).success).toBe(true);
    expect(siteInput.safeParse(goodSite).success).toBe(true);
    expect(departmentInput.parse(goodDept).modalities).toEqual(["CT", "MR"]);
  });

  it.each([
    [{ ...goodTrust, odsCode: "R-5" }, "odsCode"],
    [{ ...goodTrust, name: "H" }, "name"],
    [{ ...goodTrust, name: "x".repeat(201) }, "name"],
    [{ ...goodTrust, name: undefined }, "name"],
    [{ ...goodTrust, status: "merged" }, "status"],
  ])("names the field of a bad trust %#", (input, field) => {
    expect(fieldsOf(trustInput.safeParse(input))).toEqual([field]);
  });

  it.each([
    [{ ...goodSite, code: "RN54" }, "code"],
    [{ ...goodSite, code: "RN5 1" }, "code"],
    [{ ...goodSite, name: "" }, "name"],
    [{ ...goodSite, town: "" }, "town"],
    [{ ...goodSite, postcode: "12345" }, "postcode"],
    [{ ...goodSite, postcode: "SO22" }, "postcode"],
    [{ ...goodSite, status: "open" }, "status"],
  ])("names the field of a bad site %#", (input, field) => {
    expect(fieldsOf(siteInput.safeParse(input))).toEqual([field]);
  });

  it("normalises postcodes to upper case with one space", () => {
    expect(siteInput.parse({ ...goodSite, postcode: "so225dg" }).postcode).toBe("SO22 5DG");
    expect(siteInput.parse({ ...goodSite, postcode: "PO30 5TG" }).postcode).toBe("PO30 5TG");
  });

  it.each([
    [{ ...goodDept, siteId: "not-a-uuid" }, "siteId"],
    [{ ...goodDept, siteId: "" }, "siteId"],
    [{ ...goodDept, modalities: [] }, "modalities"],
    [{ ...goodDept, modalities: ["XR"] }, "modalities.0"],
    [{ ...goodDept, name: "CT" }, "name"],
  ])("names the field of a bad department %#", (input, field) => {
    expect(fieldsOf(departmentInput.safeParse(input))).toEqual([field]);
  });

  it("removes repeated modalities and sorts them", () => {
    expect(departmentInput.parse({ ...goodDept, modalities: ["MR", "CT", "MR"] }).modalities).toEqual(["CT", "MR"]);
  });
});

describe("sign-in input", () => {
  it("lower-cases the email", () => {
    expect(credentialsInput.parse({ email: " PACS@RHU.example ", password: "x" }).email).toBe("pacs@rhu.example");
  });
  it.each([
    [{ email: "not-an-email", password: "x" }, "email"],
    [{ email: "a@b.example", password: "" }, "password"],
  ])("names the field %#", (input, field) => {
    expect(fieldsOf(credentialsInput.safeParse(input))).toEqual([field]);
  });
});
