import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TrustForm } from "@/components/trusts/trust-form";
import { PageHeader } from "@/components/ui/page-header";
import { requireContext } from "@/lib/auth/request";
import { orNotFound } from "@/lib/pages";
import { getTrust } from "@/lib/trusts/queries";
import { updateTrustAction } from "../../actions";

export const metadata: Metadata = { title: "Edit trust" };

export default async function EditTrustPage({ params }: { params: Promise<{ ods: string }> }) {
  const ctx = await requireContext();
  const { ods } = await params;
  const trust = await orNotFound(getTrust(ctx, ods));
  if (!trust.canEditTrust) notFound();
  return (
    <>
      <PageHeader title={`Edit ${trust.name}`} description={`ODS code ${trust.odsCode} (an ODS code does not change).`} />
      <TrustForm action={updateTrustAction.bind(null, trust.odsCode)} defaults={{ name: trust.name, status: trust.status }} isNew={false} />
    </>
  );
}
