import "server-only";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { departments, dicomDevices, sites, trusts } from "@/db/schema";
import { can, type Ctx } from "@/lib/auth/context";
import { withTenant, type Tx } from "@/lib/db/scope";
import { notFound } from "@/lib/errors";
import { findTrustFor } from "@/lib/trusts/queries";

/** A device as its trust's pages show it: its site and department named, never another trust's. */
export type DeviceRow = {
  id: string;
  aeTitle: string;
  kind: string;
  modality: string | null;
  host: string | null;
  description: string;
  siteId: string;
  siteCode: string;
  siteName: string;
  departmentId: string | null;
  departmentName: string | null;
  status: "active" | "retired";
  retiredAt: Date | null;
  updatedAt: Date;
};

const deviceColumns = {
  id: dicomDevices.id,
  aeTitle: dicomDevices.aeTitle,
  kind: dicomDevices.kind,
  modality: dicomDevices.modality,
  host: dicomDevices.host,
  description: dicomDevices.description,
  siteId: dicomDevices.siteId,
  siteCode: sites.code,
  siteName: sites.name,
  departmentId: dicomDevices.departmentId,
  departmentName: departments.name,
  retiredAt: dicomDevices.retiredAt,
  updatedAt: dicomDevices.updatedAt,
};

/** The devices of one trust (the trust in the where of the query and of both joins). */
async function devicesOf(tx: Tx, trustId: string, deviceId?: string): Promise<DeviceRow[]> {
  const rows = await tx
    .select(deviceColumns)
    .from(dicomDevices)
    .innerJoin(sites, and(eq(sites.trustId, dicomDevices.trustId), eq(sites.id, dicomDevices.siteId)))
    .leftJoin(departments, and(eq(departments.trustId, dicomDevices.trustId), eq(departments.id, dicomDevices.departmentId)))
    .where(and(eq(dicomDevices.trustId, trustId), deviceId ? eq(dicomDevices.id, deviceId) : undefined))
    .orderBy(sql`${dicomDevices.retiredAt} is not null`, asc(sites.name), asc(dicomDevices.aeTitle));
  return rows.map((r) => ({ ...r, status: r.retiredAt ? "retired" : "active" }));
}

/** The trust's sites and departments, for a device form's choices. */
async function formOptions(tx: Tx, trustId: string) {
  const siteOptions = await tx.select({ id: sites.id, name: sites.name, code: sites.code }).from(sites).where(eq(sites.trustId, trustId)).orderBy(asc(sites.name));
  const departmentOptions = await tx
    .select({ id: departments.id, siteId: departments.siteId, name: departments.name })
    .from(departments)
    .where(eq(departments.trustId, trustId))
    .orderBy(asc(departments.name));
  return { siteOptions, departmentOptions };
}

/** A trust's DICOM devices, in service first; "not found" outside the caller's reach. */
export async function listDevices(ctx: Ctx, ods: string) {
  return withTenant(ctx, async (tx) => {
    const trust = await findTrustFor(tx, ctx, ods, "sites.read");
    return { trust, devices: await devicesOf(tx, trust.id), canEdit: can(ctx, "sites.write", trust.id) };
  });
}

/** One device of a trust, with the trust's sites and departments for its edit form. */
export async function getDevice(ctx: Ctx, ods: string, deviceId: string) {
  return withTenant(ctx, async (tx) => {
    const trust = await findTrustFor(tx, ctx, ods, "sites.read");
    // An id that is not a UUID is "not found", as another trust's is (no database error).
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(deviceId)) throw notFound("No such device.");
    const [device] = await devicesOf(tx, trust.id, deviceId);
    if (!device) throw notFound("No such device.");
    return { trust, device, ...(await formOptions(tx, trust.id)), canEdit: can(ctx, "sites.write", trust.id) };
  });
}

/** The trust with its sites and departments, for the new-device form. */
export async function getDeviceForm(ctx: Ctx, ods: string) {
  return withTenant(ctx, async (tx) => {
    const trust = await findTrustFor(tx, ctx, ods, "sites.read");
    return { trust, ...(await formOptions(tx, trust.id)), canEdit: can(ctx, "sites.write", trust.id) };
  });
}

/** Where a study from this AE title belongs: what the archive connector attributes it by. */
export type DeviceAttribution = {
  deviceId: string;
  aeTitle: string;
  trustId: string;
  odsCode: string;
  siteId: string;
  siteCode: string;
  departmentId: string | null;
  modality: string | null;
};

/**
 * The device in service with this calling AE title, in any trust, or null. For the system-scoped
 * archive connector (inside withSystem, as machine ingest runs after its credentials are checked):
 * it reads across trusts because an AE title is unique in the consortium, and a caller with a
 * person's scope would see only their trusts' devices here. Leading and trailing spaces of the
 * title are not significant (DICOM pads AE titles with spaces).
 */
export async function findDeviceByAeTitle(tx: Tx, title: string): Promise<DeviceAttribution | null> {
  const [device] = await tx
    .select({
      deviceId: dicomDevices.id,
      aeTitle: dicomDevices.aeTitle,
      trustId: dicomDevices.trustId,
      odsCode: trusts.odsCode,
      siteId: dicomDevices.siteId,
      siteCode: sites.code,
      departmentId: dicomDevices.departmentId,
      modality: dicomDevices.modality,
    })
    .from(dicomDevices)
    .innerJoin(trusts, eq(trusts.id, dicomDevices.trustId))
    .innerJoin(sites, and(eq(sites.trustId, dicomDevices.trustId), eq(sites.id, dicomDevices.siteId)))
    .where(and(eq(dicomDevices.aeTitle, title.replace(/^ +| +$/g, "")), isNull(dicomDevices.retiredAt)));
  return device ?? null;
}
