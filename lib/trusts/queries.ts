import "server-only";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { departments, sites, trusts } from "@/db/schema";
import { can, trustsWhere, type Ctx } from "@/lib/auth/context";
import type { Permission } from "@/lib/auth/permissions";
import { withTenant, type Tx } from "@/lib/db/scope";
import { notFound } from "@/lib/errors";

export type TrustSummary = {
  id: string;
  odsCode: string;
  name: string;
  status: string;
  siteCount: number;
  departmentCount: number;
};

type SiteWithDepartments = {
  id: string;
  code: string;
  name: string;
  town: string;
  postcode: string;
  status: string;
  departments: { id: string; name: string; modalities: string[]; status: string }[];
};

const trustColumns = { id: trusts.id, odsCode: trusts.odsCode, name: trusts.name, status: trusts.status };

/**
 * The trust with this ODS code, if the caller has `permission` there. A trust outside the caller's
 * reach is "not found", exactly as a missing one is, so its existence does not leak.
 */
export async function findTrustFor(tx: Tx, ctx: Ctx, ods: string, permission: Permission) {
  const [trust] = await tx.select(trustColumns).from(trusts).where(eq(trusts.odsCode, ods.toUpperCase()));
  if (!trust || !can(ctx, permission, trust.id)) throw notFound("No such trust.");
  return trust;
}

/** The trusts the caller may read, with counts of their sites and departments. */
export async function listTrusts(ctx: Ctx): Promise<TrustSummary[]> {
  return withTenant(ctx, (tx) => listTrustsIn(tx, ctx));
}

/**
 * listTrusts inside the caller's transaction (the overview reads more beside it). One statement:
 * the counts are subqueries per listed trust, so the list costs one round trip, not three.
 */
export async function listTrustsIn(tx: Tx, ctx: Ctx): Promise<TrustSummary[]> {
  const scope = trustsWhere(ctx, "trusts.read");
  if (!scope.all && scope.trustIds.length === 0) return [];
  return tx
    .select({
      ...trustColumns,
      // The outer trust named by its table: drizzle writes columns unqualified in a one-table select,
      // and a bare "id" here would be the site's or department's own.
      siteCount: sql<number>`(select count(*) from ${sites} where ${sites.trustId} = ${trusts}.id)`.mapWith(Number),
      departmentCount: sql<number>`(select count(*) from ${departments} where ${departments.trustId} = ${trusts}.id)`.mapWith(Number),
    })
    .from(trusts)
    .where(scope.all ? undefined : inArray(trusts.id, scope.trustIds))
    .orderBy(asc(trusts.name));
}

/** One trust with its sites and their departments; "not found" outside the caller's reach. */
export async function getTrust(ctx: Ctx, ods: string) {
  return withTenant(ctx, async (tx) => {
    const trust = await findTrustFor(tx, ctx, ods, "trusts.read");
    const siteRows = await tx
      .select({ id: sites.id, code: sites.code, name: sites.name, town: sites.town, postcode: sites.postcode, status: sites.status })
      .from(sites)
      .where(eq(sites.trustId, trust.id))
      .orderBy(asc(sites.name));
    const deptRows = await tx
      .select({ id: departments.id, siteId: departments.siteId, name: departments.name, modalities: departments.modalities, status: departments.status })
      .from(departments)
      .where(eq(departments.trustId, trust.id))
      .orderBy(asc(departments.name));
    const siteList: SiteWithDepartments[] = siteRows.map((s) => ({
      ...s,
      departments: deptRows.filter((d) => d.siteId === s.id).map(({ siteId: _siteId, ...d }) => d),
    }));
    return {
      ...trust,
      sites: siteList,
      canEditTrust: can(ctx, "trusts.update", trust.id),
      canEditSites: can(ctx, "sites.write", trust.id),
    };
  });
}

/** One site of a trust, for its edit form. */
export async function getSite(ctx: Ctx, ods: string, siteId: string) {
  return withTenant(ctx, async (tx) => {
    const trust = await findTrustFor(tx, ctx, ods, "sites.read");
    const [site] = await tx
      .select({ id: sites.id, code: sites.code, name: sites.name, town: sites.town, postcode: sites.postcode, status: sites.status })
      .from(sites)
      .where(and(eq(sites.trustId, trust.id), eq(sites.id, siteId)));
    if (!site) throw notFound("No such site.");
    return { trust, site };
  });
}

/** One department of a trust, for its edit form, with the trust's sites to choose from. */
export async function getDepartment(ctx: Ctx, ods: string, departmentId: string) {
  return withTenant(ctx, async (tx) => {
    const trust = await findTrustFor(tx, ctx, ods, "sites.read");
    const [department] = await tx
      .select({ id: departments.id, siteId: departments.siteId, name: departments.name, modalities: departments.modalities, status: departments.status })
      .from(departments)
      .where(and(eq(departments.trustId, trust.id), eq(departments.id, departmentId)));
    if (!department) throw notFound("No such department.");
    const siteOptions = await listSiteOptions(tx, trust.id);
    return { trust, department, siteOptions };
  });
}

/** The trust and its sites, for the new-department form. */
export async function getTrustSites(ctx: Ctx, ods: string) {
  return withTenant(ctx, async (tx) => {
    const trust = await findTrustFor(tx, ctx, ods, "sites.read");
    return { trust, siteOptions: await listSiteOptions(tx, trust.id) };
  });
}

function listSiteOptions(tx: Tx, trustId: string) {
  return tx
    .select({ id: sites.id, name: sites.name, code: sites.code })
    .from(sites)
    .where(eq(sites.trustId, trustId))
    .orderBy(asc(sites.name));
}
