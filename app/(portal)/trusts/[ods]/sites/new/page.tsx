import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { SiteForm } from "@/components/trusts/site-form";
import { PageHeader } from "@/components/ui/page-header";
import { requireContext } from "@/lib/identity/request";
import { orNotFound } from "@/lib/pages";
import { getTrust } from "@/lib/trusts/queries";
import { createSiteAction } from "../../../actions";

export const metadata: Metadata = { title: "Add a site" };

export default async function NewSitePage({ params }: { params: Promise<{ ods: string }> }) {
  const ctx = await requireContext();
  const { ods } = await params;
  const trust = await orNotFound(getTrust(ctx, ods));
  if (!trust.canEditSites) notFound();
  return (
    <>
      <PageHeader title="Add a site" description={trust.name} />
      <SiteForm action={createSiteAction.bind(null, trust.odsCode)} defaults={{ status: "active" }} isNew />
    </>
  );
}
