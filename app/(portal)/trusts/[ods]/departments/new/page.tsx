import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DepartmentForm } from "@/components/trusts/department-form";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/auth/context";
import { requireContext } from "@/lib/identity/request";
import { orNotFound } from "@/lib/pages";
import { getTrustSites } from "@/lib/trusts/queries";
import { createDepartmentAction } from "../../../actions";

export const metadata: Metadata = { title: "Add a department" };

export default async function NewDepartmentPage({ params, searchParams }: { params: Promise<{ ods: string }>; searchParams: Promise<{ site?: string }> }) {
  const ctx = await requireContext();
  const { ods } = await params;
  const { site } = await searchParams;
  const { trust, siteOptions } = await orNotFound(getTrustSites(ctx, ods));
  if (!can(ctx, "sites.write", trust.id)) notFound();
  return (
    <>
      <PageHeader title="Add an imaging department" description={trust.name} />
      <DepartmentForm
        action={createDepartmentAction.bind(null, trust.odsCode)}
        defaults={{ status: "active", siteId: site ?? (siteOptions.length === 1 ? siteOptions[0]?.id : ""), modalities: [] }}
        sites={siteOptions}
        isNew
      />
    </>
  );
}
