import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { SiteForm } from "@/components/trusts/site-form";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/auth/context";
import { cache } from "react";
import { getRequestContext, requireContext } from "@/lib/identity/request";
import { orNotFound, titleOf } from "@/lib/pages";
import { getSite } from "@/lib/trusts/queries";
import { updateSiteAction } from "../../../../actions";

// The title and the page read the same site once per request.
const loadSite = cache(getSite);

type Params = { params: Promise<{ ods: string; siteId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { ods, siteId } = await params;
  const ctx = await getRequestContext();
  return titleOf(ctx, (c) => loadSite(c, ods, siteId), ({ trust, site }) => (ctx && can(ctx, "sites.write", trust.id) ? `Edit ${site.name}` : null));
}

export default async function EditSitePage({ params }: Params) {
  const ctx = await requireContext();
  const { ods, siteId } = await params;
  const { trust, site } = await orNotFound(loadSite(ctx, ods, siteId));
  if (!can(ctx, "sites.write", trust.id)) notFound();
  return (
    <>
      <PageHeader title={`Edit ${site.name}`} description={trust.name} />
      <SiteForm action={updateSiteAction.bind(null, trust.odsCode, site.id)} defaults={site} isNew={false} />
    </>
  );
}
