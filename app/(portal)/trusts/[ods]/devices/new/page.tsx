import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DeviceForm } from "@/components/devices/device-form";
import { PageHeader } from "@/components/ui/page-header";
import { getDeviceForm } from "@/lib/devices/queries";
import { requireContext } from "@/lib/identity/request";
import { orNotFound } from "@/lib/pages";
import { createDeviceAction } from "../actions";

export const metadata: Metadata = { title: "Register a DICOM device" };

export default async function NewDevicePage({ params }: { params: Promise<{ ods: string }> }) {
  const ctx = await requireContext();
  const { ods } = await params;
  const { trust, siteOptions, departmentOptions, canEdit } = await orNotFound(getDeviceForm(ctx, ods));
  if (!canEdit) notFound();
  return (
    <>
      <PageHeader title="Register a DICOM device" description={trust.name} />
      <DeviceForm action={createDeviceAction.bind(null, trust.odsCode)} defaults={{}} sites={siteOptions} departments={departmentOptions} isNew />
    </>
  );
}
