import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TrustForm } from "@/components/trusts/trust-form";
import { PageHeader } from "@/components/ui/page-header";
import { cache } from "react";
import { getRequestContext, requireContext } from "@/lib/identity/request";
import { orNotFound, titleOf } from "@/lib/pages";
import { getTrust } from "@/lib/trusts/queries";
import { updateTrustAction } from "../../actions";

// The title and the page read the same trust once per request.
const loadTrust = cache(getTrust);

type Params = { params: Promise<{ ods: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { ods } = await params;
  return titleOf(await getRequestContext(), (ctx) => loadTrust(ctx, ods), (trust) => (trust.canEditTrust ? `Edit ${trust.name}` : null));
}

export default async function EditTrustPage({ params }: Params) {
  const ctx = await requireContext();
  const { ods } = await params;
  const trust = await orNotFound(loadTrust(ctx, ods));
  if (!trust.canEditTrust) notFound();
  return (
    <>
      <PageHeader title={`Edit ${trust.name}`} description={`ODS code ${trust.odsCode} (an ODS code does not change).`} />
      <TrustForm action={updateTrustAction.bind(null, trust.odsCode)} defaults={{ name: trust.name, status: trust.status }} isNew={false} />
    </>
  );
}
