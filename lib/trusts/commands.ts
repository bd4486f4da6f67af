import "server-only";
import { and, eq } from "drizzle-orm";
import { departments, sites, trusts } from "@/db/schema";
import { can, roleFor, type Ctx } from "@/lib/auth/context";
import { actorOf, diffOf, recordAuditEvent } from "@/lib/audit/record";
import { isUniqueViolation, mutation } from "@/lib/db/mutation";
import type { Tx } from "@/lib/db/scope";
import { AppError, notFound } from "@/lib/errors";
import { departmentInput, siteInput, trustInput, trustUpdateInput } from "./schemas";
import { findTrustFor } from "./queries";

const conflict = (field: string, message: string) => new AppError("CONFLICT", message, { fieldErrors: { [field]: [message] } });

/** Onboards a trust (consortium administrators only). */
export function createTrust(ctx: Ctx, input: unknown) {
  return mutation(ctx, trustInput, input, async (tx, data) => {
    if (!can(ctx, "trusts.create", null)) throw new AppError("FORBIDDEN", "Only a consortium administrator can onboard a trust.");
    const [existing] = await tx.select({ id: trusts.id }).from(trusts).where(eq(trusts.odsCode, data.odsCode));
    if (existing) throw conflict("odsCode", `A trust with ODS code ${data.odsCode} already exists.`);
    const [trust] = await tx.insert(trusts).values(data).returning({ id: trusts.id, odsCode: trusts.odsCode });
    if (!trust) throw new Error("insert returned no row");
    await recordAuditEvent(tx, {
      action: "trust.create",
      actor: actorOf(ctx, roleFor(ctx, "trusts.create", null)),
      sourceTrustId: trust.id,
      target: { type: "trust", id: trust.id },
      details: { after: data },
      client: ctx.client,
    });
    return trust;
  });
}

/** Changes a trust's name or status. */
export function updateTrust(ctx: Ctx, ods: string, input: unknown) {
  return mutation(ctx, trustUpdateInput, input, async (tx, data) => {
    const trust = await findTrustFor(tx, ctx, ods, "trusts.read");
    if (!can(ctx, "trusts.update", trust.id)) throw new AppError("FORBIDDEN", "You cannot change this trust.");
    await tx.update(trusts).set({ ...data, updatedAt: new Date() }).where(eq(trusts.id, trust.id));
    await recordAuditEvent(tx, {
      action: "trust.update",
      actor: actorOf(ctx, roleFor(ctx, "trusts.update", trust.id)),
      sourceTrustId: trust.id,
      target: { type: "trust", id: trust.id },
      details: diffOf({ name: trust.name, status: trust.status }, data),
      client: ctx.client,
    });
    return { odsCode: trust.odsCode };
  });
}

async function writableTrust(tx: Tx, ctx: Ctx, ods: string) {
  const trust = await findTrustFor(tx, ctx, ods, "sites.read");
  if (!can(ctx, "sites.write", trust.id)) throw new AppError("FORBIDDEN", "You cannot change the sites of this trust.");
  return trust;
}

/** Adds a site (hospital) to a trust. */
export function createSite(ctx: Ctx, ods: string, input: unknown) {
  return mutation(ctx, siteInput, input, async (tx, data) => {
    const trust = await writableTrust(tx, ctx, ods);
    try {
      const [site] = await tx.insert(sites).values({ ...data, trustId: trust.id }).returning({ id: sites.id });
      if (!site) throw new Error("insert returned no row");
      await recordAuditEvent(tx, {
        action: "site.create",
        actor: actorOf(ctx, roleFor(ctx, "sites.write", trust.id)),
        sourceTrustId: trust.id,
        target: { type: "site", id: site.id },
        details: { after: data },
        client: ctx.client,
      });
      return { id: site.id, odsCode: trust.odsCode };
    } catch (error) {
      if (isUniqueViolation(error, "sites_code_key")) throw conflict("code", `Site code ${data.code} is already in use.`);
      throw error;
    }
  });
}

/** Changes a site of a trust. */
export function updateSite(ctx: Ctx, ods: string, siteId: string, input: unknown) {
  return mutation(ctx, siteInput, input, async (tx, data) => {
    const trust = await writableTrust(tx, ctx, ods);
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
    await recordAuditEvent(tx, {
      action: "site.update",
      actor: actorOf(ctx, roleFor(ctx, "sites.write", trust.id)),
      sourceTrustId: trust.id,
      target: { type: "site", id: siteId },
      details: diffOf(before, data),
      client: ctx.client,
    });
    return { id: siteId, odsCode: trust.odsCode };
  });
}

async function siteOfTrust(tx: Tx, trustId: string, siteId: string) {
  const [site] = await tx.select({ id: sites.id }).from(sites).where(and(eq(sites.trustId, trustId), eq(sites.id, siteId)));
  if (!site) throw new AppError("VALIDATION", "Choose one of this trust's sites.", { fieldErrors: { siteId: ["Choose one of this trust's sites."] } });
}

const departmentTaken = (name: string) => conflict("name", `The site already has a department called ${name}.`);

/** Adds an imaging department to a site of a trust. */
export function createDepartment(ctx: Ctx, ods: string, input: unknown) {
  return mutation(ctx, departmentInput, input, async (tx, data) => {
    const trust = await writableTrust(tx, ctx, ods);
    await siteOfTrust(tx, trust.id, data.siteId);
    try {
      const [dept] = await tx.insert(departments).values({ ...data, trustId: trust.id }).returning({ id: departments.id });
      if (!dept) throw new Error("insert returned no row");
      await recordAuditEvent(tx, {
        action: "department.create",
        actor: actorOf(ctx, roleFor(ctx, "sites.write", trust.id)),
        sourceTrustId: trust.id,
        target: { type: "department", id: dept.id },
        details: { after: data },
        client: ctx.client,
      });
      return { id: dept.id, odsCode: trust.odsCode };
    } catch (error) {
      if (isUniqueViolation(error, "departments_site_name_key")) throw departmentTaken(data.name);
      throw error;
    }
  });
}

/** Changes an imaging department of a trust. */
export function updateDepartment(ctx: Ctx, ods: string, departmentId: string, input: unknown) {
  return mutation(ctx, departmentInput, input, async (tx, data) => {
    const trust = await writableTrust(tx, ctx, ods);
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
    await recordAuditEvent(tx, {
      action: "department.update",
      actor: actorOf(ctx, roleFor(ctx, "sites.write", trust.id)),
      sourceTrustId: trust.id,
      target: { type: "department", id: departmentId },
      details: diffOf(before, data),
      client: ctx.client,
    });
    return { id: departmentId, odsCode: trust.odsCode };
  });
}
