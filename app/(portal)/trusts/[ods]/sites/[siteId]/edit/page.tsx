import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { SiteForm } from "@/components/trusts/site-form";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/auth/context";
import { requireContext } from "@/lib/auth/request";
import { orNotFound } from "@/lib/pages";
import { getSite } from "@/lib/trusts/queries";
import { updateSiteAction } from "../../../../actions";

export const metadata: Metadata = { title: "Edit site" };

export default async function EditSitePage({ params }: { params: Promise<{ ods: string; siteId: string }> }) {
  const ctx = await requireContext();
  const { ods, siteId } = await params;
  const { trust, site } = await orNotFound(getSite(ctx, ods, siteId));
  if (!can(ctx, "sites.write", trust.id)) notFound();
  return (
    <>
      <PageHeader title={`Edit ${site.name}`} description={trust.name} />
      <SiteForm action={updateSiteAction.bind(null, trust.odsCode, site.id)} defaults={site} isNew={false} />
    </>
  );
}
