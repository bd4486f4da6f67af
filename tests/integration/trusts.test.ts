import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, departments, sites, trusts } from "@/db/schema";
import { createDepartment, createSite, createTrust, updateDepartment, updateSite, updateTrust } from "@/lib/trusts/commands";
import { getOverview } from "@/lib/trusts/overview";
import { getTrust, listTrusts } from "@/lib/trusts/queries";
import { testDatabase } from "../helpers/database";
import { makeTrust, makeUser } from "../helpers/factories";

const db = () => testDatabase().db;
const count = async (table: typeof trusts | typeof sites | typeof departments | typeof auditEvents) =>
  (await db().select({ n: sql<number>`count(*)::int` }).from(table))[0]?.n ?? 0;

describe("onboarding a trust", () => {
  it("creates it with its audit event in the same transaction", async () => {
    const admin = await makeUser([{ role: "consortium_admin", trustId: null }], { homeTrustId: null });
    const result = await createTrust(admin, { odsCode: "rn5", name: "Hampshire Hospitals NHS Foundation Trust" });
    expect(result).toMatchObject({ ok: true, data: { odsCode: "RN5" } });
    const [trust] = await db().select().from(trusts).where(eq(trusts.odsCode, "RN5"));
    expect(trust?.status).toBe("onboarding");
    const [event] = await db().select().from(auditEvents).where(eq(auditEvents.targetId, trust!.id));
    expect(event).toMatchObject({ action: "trust.create", actorUserId: admin.userId, actorRole: "consortium_admin", sourceTrustId: trust!.id, seq: 1 });
    expect(event?.details).toEqual({ after: { odsCode: "RN5", name: "Hampshire Hospitals NHS Foundation Trust", status: "onboarding" } });
  });

  it("refuses a duplicate ODS code beside the field, writing nothing", async () => {
    const admin = await makeUser([{ role: "consortium_admin", trustId: null }], { homeTrustId: null });
    const existing = await makeTrust();
    const before = [await count(trusts), await count(auditEvents)];
    const result = await createTrust(admin, { odsCode: existing.odsCode, name: "Duplicate Trust" });
    expect(result).toMatchObject({ ok: false, error: { code: "CONFLICT", fieldErrors: { odsCode: [expect.stringContaining("already exists")] } } });
    expect([await count(trusts), await count(auditEvents)]).toEqual(before);
  });

  it.each([
    [{ odsCode: "R-5", name: "Bad Code Trust" }, "odsCode"],
    [{ odsCode: "RN6", name: "" }, "name"],
    [{ odsCode: "RN7", name: "Status Trust", status: "closed" }, "status"],
    // PostgreSQL text cannot hold a NUL: refused beside the field, never a database error.
    [{ odsCode: "RN8", name: "Nul\u0000 Trust" }, "name"],
    [{}, "odsCode"],
  ])("names the bad field of %j and writes nothing", async (input, field) => {
    const admin = await makeUser([{ role: "consortium_admin", trustId: null }], { homeTrustId: null });
    const before = [await count(trusts), await count(auditEvents)];
    const result = await createTrust(admin, input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("VALIDATION");
      expect(Object.keys(result.error.fieldErrors ?? {})).toContain(field);
    }
    expect([await count(trusts), await count(auditEvents)]).toEqual(before);
  });

  it.each(["pacs_manager", "ig_officer", "cio"])("is refused to a trust-scoped %s", async (role) => {
    const trust = await makeTrust();
    const user = await makeUser([{ role, trustId: trust.id }]);
    expect(await createTrust(user, { odsCode: "RX1", name: "Not Allowed Trust" })).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(await db().select().from(trusts).where(eq(trusts.odsCode, "RX1"))).toEqual([]);
  });
});

describe("a PACS manager at their own trust", () => {
  it("adds and edits sites and departments, each audited with before and after", async () => {
    const trust = await makeTrust();
    const pacs = await makeUser([{ role: "pacs_manager", trustId: trust.id }]);
    const created = await createSite(pacs, trust.odsCode.toLowerCase(), { code: "ZQ001", name: "Queen Alexandra Annexe", town: "Cosham", postcode: "po6 3ly" });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    const edited = await updateSite(pacs, trust.odsCode, created.data.id, { code: "ZQ001", name: "Queen Alexandra Annexe", town: "Portsmouth", postcode: "PO6 3LY", status: "closed" });
    expect(edited.ok).toBe(true);
    const dept = await createDepartment(pacs, trust.odsCode, { siteId: created.data.id, name: "Outpatient X-ray", modalities: ["DX", "CR"] });
    expect(dept.ok).toBe(true);
    if (!dept.ok) return;
    expect(await updateDepartment(pacs, trust.odsCode, dept.data.id, { siteId: created.data.id, name: "Outpatient X-ray", modalities: ["DX"] })).toMatchObject({ ok: true });

    const events = await db().select().from(auditEvents).where(eq(auditEvents.sourceTrustId, trust.id)).orderBy(auditEvents.seq);
    expect(events.map((e) => e.action)).toEqual(["site.create", "site.update", "department.create", "department.update"]);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(events[1]?.details).toEqual({ before: { town: "Cosham", status: "active" }, after: { town: "Portsmouth", status: "closed" } });
    expect(events[3]?.details).toEqual({ before: { modalities: ["CR", "DX"] }, after: { modalities: ["DX"] } });
    expect(events[1]?.prevHash).toBe(events[0]?.hash);

    const view = await getTrust(pacs, trust.odsCode);
    const site = view.sites.find((s) => s.id === created.data.id);
    expect(site).toMatchObject({ town: "Portsmouth", status: "closed", departments: [{ name: "Outpatient X-ray", modalities: ["DX"] }] });
    // The list and the overview count the new site and department beside the trust's first ones.
    expect(await listTrusts(pacs)).toEqual([expect.objectContaining({ id: trust.id, siteCount: 2, departmentCount: 2 })]);
    expect((await getOverview(pacs)).trusts).toEqual([expect.objectContaining({ id: trust.id, siteCount: 2, departmentCount: 2, modalities: ["CT", "DX", "MR"] })]);
  });

  it("cannot reuse a site code or a department name within a site", async () => {
    const trust = await makeTrust();
    const other = await makeTrust();
    const pacs = await makeUser([{ role: "pacs_manager", trustId: trust.id }]);
    const [otherSite] = await db().select({ code: sites.code }).from(sites).where(eq(sites.trustId, other.id));
    expect(await createSite(pacs, trust.odsCode, { code: otherSite!.code, name: "Clash Hospital", town: "Town", postcode: "SO16 6YD" })).toMatchObject({
      ok: false,
      error: { code: "CONFLICT", fieldErrors: { code: [expect.stringContaining("already in use")] } },
    });
    expect(await createDepartment(pacs, trust.odsCode, { siteId: trust.siteId, name: "Radiology", modalities: ["CT"] })).toMatchObject({
      ok: false,
      error: { code: "CONFLICT", fieldErrors: { name: [expect.stringContaining("already has a department")] } },
    });
  });

  it("cannot edit the trust itself, and IG officers and CIOs cannot edit sites", async () => {
    const trust = await makeTrust();
    const pacs = await makeUser([{ role: "pacs_manager", trustId: trust.id }]);
    expect(await updateTrust(pacs, trust.odsCode, { name: "Renamed Trust", status: "active" })).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    for (const role of ["ig_officer", "cio"]) {
      const reader = await makeUser([{ role, trustId: trust.id }]);
      expect((await listTrusts(reader)).map((t) => t.odsCode)).toEqual([trust.odsCode]);
      expect(await createSite(reader, trust.odsCode, { code: "ZZ999", name: "Reader Hospital", town: "Town", postcode: "SO16 6YD" })).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
      expect(await updateDepartment(reader, trust.odsCode, trust.departmentId, { siteId: trust.siteId, name: "Radiology", modalities: ["CT"] })).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    }
  });
});
