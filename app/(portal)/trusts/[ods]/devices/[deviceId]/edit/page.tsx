import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { DeviceForm } from "@/components/devices/device-form";
import { PageHeader } from "@/components/ui/page-header";
import { getDevice } from "@/lib/devices/queries";
import { getRequestContext, requireContext } from "@/lib/identity/request";
import { orNotFound, titleOf } from "@/lib/pages";
import { updateDeviceAction } from "../../actions";

// The title and the page read the same device once per request.
const loadDevice = cache(getDevice);

type Params = { params: Promise<{ ods: string; deviceId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { ods, deviceId } = await params;
  const ctx = await getRequestContext();
  return titleOf(ctx, (c) => loadDevice(c, ods, deviceId), ({ device, canEdit }) => (canEdit && device.status === "active" ? `Edit ${device.aeTitle}` : null));
}

export default async function EditDevicePage({ params }: Params) {
  const ctx = await requireContext();
  const { ods, deviceId } = await params;
  const { trust, device, siteOptions, departmentOptions, canEdit } = await orNotFound(loadDevice(ctx, ods, deviceId));
  if (!canEdit || device.status !== "active") notFound();
  const defaults = { ...device, departmentId: device.departmentId ?? "", modality: device.modality ?? "", host: device.host ?? "" };
  return (
    <>
      <PageHeader title={`Edit ${device.aeTitle}`} description={trust.name} />
      <DeviceForm action={updateDeviceAction.bind(null, trust.odsCode, device.id)} defaults={defaults} sites={siteOptions} departments={departmentOptions} isNew={false} />
    </>
  );
}
