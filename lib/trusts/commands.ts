import "server-only";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { departments, sites, trusts } from "@/db/schema";
import type { Ctx } from "@/lib/auth/context";
import { diffOf } from "@/lib/audit/record";
import { defineMutation, isUniqueViolation } from "@/lib/mutation";
import type { Tx } from "@/lib/db/scope";
import { AppError, notFound } from "@/lib/errors";
import { departmentInput, siteInput, trustInput, trustUpdateInput } from "./schemas";
import { findTrustFor } from "./queries";

const conflict = (field: string, message: string) => new AppError("CONFLICT", message, { fieldErrors: { [field]: [message] } });

const trustParams = z.object({ ods: z.string() });
const siteParams = trustParams.extend({ siteId: z.uuid() });
const departmentParams = trustParams.extend({ departmentId: z.uuid() });

/** The trust of the page, if the caller sees its sites; whether they may change them is the permission's. */
async function trustOfSites(tx: Tx, ctx: Ctx, { params }: { params: { ods: string } }) {
  const trust = await findTrustFor(tx, ctx, params.ods, "sites.read");
  return { trustId: trust.id, trust };
}

const sitesRefusal = "You cannot change the sites of this trust.";

const createTrustMutation = defineMutation({
  name: "trusts.create",
  permission: "trusts.create",
  refusal: "Only a consortium administrator can onboard a trust.",
  input: trustInput,
  audit: ["trust.create"],
  locate: () => ({ trustId: null }),
  run: async ({ tx, data, audit }) => {
    const [existing] = await tx.select({ id: trusts.id }).from(trusts).where(eq(trusts.odsCode, data.odsCode));
    if (existing) throw conflict("odsCode", `A trust with ODS code ${data.odsCode} already exists.`);
    const [trust] = await tx.insert(trusts).values(data).returning({ id: trusts.id, odsCode: trusts.odsCode });
    if (!trust) throw new Error("insert returned no row");
    // The new trust's chain records its own creation.
    await audit({ action: "trust.create", sourceTrustId: trust.id, target: { type: "trust", id: trust.id }, details: { after: data } });
    return trust;
  },
});

/** Onboards a trust (consortium administrators only). */
export const createTrust = (ctx: Ctx, input: unknown) => createTrustMutation(ctx, {}, input);

const updateTrustMutation = defineMutation({
  name: "trusts.update",
  permission: "trusts.update",
  refusal: "You cannot change this trust.",
  params: trustParams,
  input: trustUpdateInput,
  audit: ["trust.update"],
  locate: async (tx, ctx, { params }) => {
    const trust = await findTrustFor(tx, ctx, params.ods, "trusts.read");
    return { trustId: trust.id, trust };
  },
  run: async ({ tx, data, found: { trust }, audit }) => {
    await tx.update(trusts).set({ ...data, updatedAt: new Date() }).where(eq(trusts.id, trust.id));
    await audit({ action: "trust.update", target: { type: "trust", id: trust.id }, details: diffOf({ name: trust.name, status: trust.status }, data) });
    return { odsCode: trust.odsCode };
  },
});

/** Changes a trust's name or status. */
export const updateTrust = (ctx: Ctx, ods: string, input: unknown) => updateTrustMutation(ctx, { ods }, input);

const createSiteMutation = defineMutation({
  name: "sites.create",
  permission: "sites.write",
  refusal: sitesRefusal,
  params: trustParams,
  input: siteInput,
  audit: ["site.create"],
  locate: (tx, ctx, args) => trustOfSites(tx, ctx, args),
  run: async ({ tx, data, found: { trust }, audit }) => {
    try {
      const [site] = await tx.insert(sites).values({ ...data, trustId: trust.id }).returning({ id: sites.id });
      if (!site) throw new Error("insert returned no row");
      await audit({ action: "site.create", target: { type: "site", id: site.id }, details: { after: data } });
      return { id: site.id, odsCode: trust.odsCode };
    } catch (error) {
      if (isUniqueViolation(error, "sites_code_key")) throw conflict("code", `Site code ${data.code} is already in use.`);
      throw error;
    }
  },
});

/** Adds a site (hospital) to a trust. */
export const createSite = (ctx: Ctx, ods: string, input: unknown) => createSiteMutation(ctx, { ods }, input);

const updateSiteMutation = defineMutation({
  name: "sites.update",
  permission: "sites.write",
  refusal: sitesRefusal,
  params: siteParams,
  missing: "No such site.",
  input: siteInput,
  audit: ["site.update"],
  locate: (tx, ctx, args) => trustOfSites(tx, ctx, args),
  run: async ({ tx, data, params: { siteId }, found: { trust }, audit }) => {
    const [before] = await tx
      .select({ code: sites.code, name: sites.name, town: sites.town, postcode: sites.postcode, status: sites.status })
      .from(sites)
      .where(and(eq(sites.trustId, trust.id), eq(sites.id, siteId)));
    if (!before) throw notFound("No such site.");
    try {
      await tx
        .update(sites)
        .set({ ...data, updatedAt: new Date() })
        .where(and(eq(sites.trustId, trust.id), eq(sites.id, siteId)));
    } catch (error) {
      if (isUniqueViolation(error, "sites_code_key")) throw conflict("code", `Site code ${data.code} is already in use.`);
      throw error;
    }
    await audit({ action: "site.update", target: { type: "site", id: siteId }, details: diffOf(before, data) });
    return { id: siteId, odsCode: trust.odsCode };
  },
});

/** Changes a site of a trust. */
export const updateSite = (ctx: Ctx, ods: string, siteId: string, input: unknown) => updateSiteMutation(ctx, { ods, siteId }, input);

async function siteOfTrust(tx: Tx, trustId: string, siteId: string) {
  const [site] = await tx.select({ id: sites.id }).from(sites).where(and(eq(sites.trustId, trustId), eq(sites.id, siteId)));
  if (!site) throw new AppError("VALIDATION", "Choose one of this trust's sites.", { fieldErrors: { siteId: ["Choose one of this trust's sites."] } });
}

const departmentTaken = (name: string) => conflict("name", `The site already has a department called ${name}.`);

const createDepartmentMutation = defineMutation({
  name: "departments.create",
  permission: "sites.write",
  refusal: sitesRefusal,
  params: trustParams,
  input: departmentInput,
  audit: ["department.create"],
  locate: (tx, ctx, args) => trustOfSites(tx, ctx, args),
  run: async ({ tx, data, found: { trust }, audit }) => {
    await siteOfTrust(tx, trust.id, data.siteId);
    try {
      const [dept] = await tx.insert(departments).values({ ...data, trustId: trust.id }).returning({ id: departments.id });
      if (!dept) throw new Error("insert returned no row");
      await audit({ action: "department.create", target: { type: "department", id: dept.id }, details: { after: data } });
      return { id: dept.id, odsCode: trust.odsCode };
    } catch (error) {
      if (isUniqueViolation(error, "departments_site_name_key")) throw departmentTaken(data.name);
      throw error;
    }
  },
});

/** Adds an imaging department to a site of a trust. */
export const createDepartment = (ctx: Ctx, ods: string, input: unknown) => createDepartmentMutation(ctx, { ods }, input);

const updateDepartmentMutation = defineMutation({
  name: "departments.update",
  permission: "sites.write",
  refusal: sitesRefusal,
  params: departmentParams,
  missing: "No such department.",
  input: departmentInput,
  audit: ["department.update"],
  locate: (tx, ctx, args) => trustOfSites(tx, ctx, args),
  run: async ({ tx, data, params: { departmentId }, found: { trust }, audit }) => {
    const [before] = await tx
      .select({ siteId: departments.siteId, name: departments.name, modalities: departments.modalities, status: departments.status })
      .from(departments)
      .where(and(eq(departments.trustId, trust.id), eq(departments.id, departmentId)));
    if (!before) throw notFound("No such department.");
    await siteOfTrust(tx, trust.id, data.siteId);
    try {
      await tx
        .update(departments)
        .set({ ...data, updatedAt: new Date() })
        .where(and(eq(departments.trustId, trust.id), eq(departments.id, departmentId)));
    } catch (error) {
      if (isUniqueViolation(error, "departments_site_name_key")) throw departmentTaken(data.name);
      throw error;
    }
    await audit({ action: "department.update", target: { type: "department", id: departmentId }, details: diffOf(before, data) });
    return { id: departmentId, odsCode: trust.odsCode };
  },
});

/** Changes an imaging department of a trust. */
export const updateDepartment = (ctx: Ctx, ods: string, departmentId: string, input: unknown) => updateDepartmentMutation(ctx, { ods, departmentId }, input);
