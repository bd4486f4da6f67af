import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { departments, dicomDevices, sites } from "@/db/schema";
import type { Ctx } from "@/lib/auth/context";
import { diffOf } from "@/lib/audit/record";
import { defineMutation, isUniqueViolation } from "@/lib/mutation";
import type { Tx } from "@/lib/db/scope";
import { AppError, notFound } from "@/lib/errors";
import { findTrustFor } from "@/lib/trusts/queries";
import { deviceInput, type DeviceInput } from "./schemas";

const trustParams = z.object({ ods: z.string() });
const deviceParams = trustParams.extend({ deviceId: z.uuid() });

const refusal = "You cannot change the DICOM devices of this trust.";
const missing = "No such device.";

/**
 * Said of an AE title held by any other device in service, whichever trust holds it: the holder
 * may be a trust the caller cannot see, and the answer must not tell which (or that it is theirs).
 */
export const aeTitleTaken = "This AE title is already registered in the consortium.";

const fieldError = (code: "VALIDATION" | "CONFLICT", field: string, message: string) => new AppError(code, message, { fieldErrors: { [field]: [message] } });

/** The trust of the page, if the caller sees its devices; whether they may change them is the permission's. */
async function trustOfDevices(tx: Tx, ctx: Ctx, { params }: { params: { ods: string } }) {
  const trust = await findTrustFor(tx, ctx, params.ods, "sites.read");
  return { trustId: trust.id, trust };
}

/**
 * The site and department chosen belong to the trust (and the department to the site). Another
 * trust's ids read exactly as ids that exist nowhere.
 */
async function checkPlace(tx: Tx, trustId: string, data: DeviceInput) {
  const [site] = await tx.select({ id: sites.id }).from(sites).where(and(eq(sites.trustId, trustId), eq(sites.id, data.siteId)));
  if (!site) throw fieldError("VALIDATION", "siteId", "Choose one of this trust's sites.");
  if (data.departmentId === null) return;
  const [department] = await tx
    .select({ id: departments.id })
    .from(departments)
    .where(and(eq(departments.trustId, trustId), eq(departments.siteId, data.siteId), eq(departments.id, data.departmentId)));
  if (!department) throw fieldError("VALIDATION", "departmentId", "Choose one of the site's departments, or none.");
}

/** Runs a write that may collide on the consortium-wide AE title index, naming the field. */
async function withTitleCheck<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error, "dicom_devices_ae_title_key")) throw fieldError("CONFLICT", "aeTitle", aeTitleTaken);
    throw error;
  }
}

const createDeviceMutation = defineMutation({
  name: "devices.create",
  permission: "sites.write",
  refusal,
  params: trustParams,
  input: deviceInput,
  audit: ["devices.create"],
  locate: (tx, ctx, args) => trustOfDevices(tx, ctx, args),
  run: async ({ tx, data, found: { trust }, audit }) => {
    await checkPlace(tx, trust.id, data);
    const device = await withTitleCheck(async () => {
      const [row] = await tx.insert(dicomDevices).values({ ...data, trustId: trust.id }).returning({ id: dicomDevices.id });
      if (!row) throw new Error("insert returned no row");
      return row;
    });
    await audit({ action: "devices.create", target: { type: "dicom_device", id: device.id }, details: { after: data } });
    return { id: device.id, odsCode: trust.odsCode };
  },
});

/** Registers a DICOM device at a site of a trust. */
export const createDevice = (ctx: Ctx, ods: string, input: unknown) => createDeviceMutation(ctx, { ods }, input);

const updateDeviceMutation = defineMutation({
  name: "devices.update",
  permission: "sites.write",
  refusal,
  params: deviceParams,
  missing,
  input: deviceInput,
  audit: ["devices.update"],
  locate: (tx, ctx, args) => trustOfDevices(tx, ctx, args),
  run: async ({ tx, data, params: { deviceId }, found: { trust }, audit }) => {
    const where = and(eq(dicomDevices.trustId, trust.id), eq(dicomDevices.id, deviceId));
    const [before] = await tx
      .select({
        aeTitle: dicomDevices.aeTitle,
        siteId: dicomDevices.siteId,
        departmentId: dicomDevices.departmentId,
        kind: dicomDevices.kind,
        modality: dicomDevices.modality,
        host: dicomDevices.host,
        description: dicomDevices.description,
        retiredAt: dicomDevices.retiredAt,
      })
      .from(dicomDevices)
      .where(where);
    if (!before) throw notFound(missing);
    if (before.retiredAt) throw new AppError("CONFLICT", "This device is retired: register a new one instead.");
    await checkPlace(tx, trust.id, data);
    await withTitleCheck(() => tx.update(dicomDevices).set({ ...data, updatedAt: new Date() }).where(where));
    const { retiredAt: _r, ...fields } = before;
    await audit({ action: "devices.update", target: { type: "dicom_device", id: deviceId }, details: diffOf(fields, data) });
    return { id: deviceId, odsCode: trust.odsCode };
  },
});

/** Changes a DICOM device of a trust. */
export const updateDevice = (ctx: Ctx, ods: string, deviceId: string, input: unknown) => updateDeviceMutation(ctx, { ods, deviceId }, input);

const retireDeviceMutation = defineMutation({
  name: "devices.retire",
  permission: "sites.write",
  refusal,
  params: deviceParams,
  missing,
  input: z.object({}),
  audit: ["devices.retire"],
  locate: (tx, ctx, args) => trustOfDevices(tx, ctx, args),
  run: async ({ tx, params: { deviceId }, found: { trust }, audit }) => {
    const retiredAt = new Date();
    // Zero rows: another trust's device, a missing one, or one retired already.
    const [device] = await tx
      .update(dicomDevices)
      .set({ retiredAt, updatedAt: retiredAt })
      .where(and(eq(dicomDevices.trustId, trust.id), eq(dicomDevices.id, deviceId), isNull(dicomDevices.retiredAt)))
      .returning({ aeTitle: dicomDevices.aeTitle });
    if (!device) {
      const [retired] = await tx.select({ id: dicomDevices.id }).from(dicomDevices).where(and(eq(dicomDevices.trustId, trust.id), eq(dicomDevices.id, deviceId)));
      throw retired ? new AppError("CONFLICT", "This device is retired already.") : notFound(missing);
    }
    await audit({
      action: "devices.retire",
      target: { type: "dicom_device", id: deviceId },
      details: { aeTitle: device.aeTitle, before: { retiredAt: null }, after: { retiredAt: retiredAt.toISOString() } },
    });
    return { id: deviceId, odsCode: trust.odsCode };
  },
});

/** Takes a DICOM device out of service; its AE title is free for another device from then on. */
export const retireDevice = (ctx: Ctx, ods: string, deviceId: string) => retireDeviceMutation(ctx, { ods, deviceId }, {});
