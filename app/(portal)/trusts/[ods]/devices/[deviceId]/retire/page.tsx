import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { RetireDeviceForm } from "@/components/devices/device-form";
import { PageHeader } from "@/components/ui/page-header";
import { getDevice } from "@/lib/devices/queries";
import { getRequestContext, requireContext } from "@/lib/identity/request";
import { orNotFound, titleOf } from "@/lib/pages";
import { retireDeviceAction } from "../../actions";

const loadDevice = cache(getDevice);

type Params = { params: Promise<{ ods: string; deviceId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { ods, deviceId } = await params;
  const ctx = await getRequestContext();
  return titleOf(ctx, (c) => loadDevice(c, ods, deviceId), ({ device, canEdit }) => (canEdit && device.status === "active" ? `Retire ${device.aeTitle}` : null));
}

export default async function RetireDevicePage({ params }: Params) {
  const ctx = await requireContext();
  const { ods, deviceId } = await params;
  const { trust, device, canEdit } = await orNotFound(loadDevice(ctx, ods, deviceId));
  if (!canEdit || device.status !== "active") notFound();
  return (
    <>
      <PageHeader title={`Retire ${device.aeTitle}`} description={`${device.siteName} · ${trust.name}`} />
      <RetireDeviceForm action={retireDeviceAction.bind(null, trust.odsCode, device.id)} aeTitle={device.aeTitle} />
    </>
  );
}
