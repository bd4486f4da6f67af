import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DepartmentForm } from "@/components/trusts/department-form";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/auth/context";
import { cache } from "react";
import { getRequestContext, requireContext } from "@/lib/identity/request";
import { orNotFound, titleOf } from "@/lib/pages";
import { getDepartment } from "@/lib/trusts/queries";
import { updateDepartmentAction } from "../../../../actions";

// The title and the page read the same department once per request.
const loadDepartment = cache(getDepartment);

type Params = { params: Promise<{ ods: string; departmentId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { ods, departmentId } = await params;
  const ctx = await getRequestContext();
  return titleOf(ctx, (c) => loadDepartment(c, ods, departmentId), ({ trust, department }) => (ctx && can(ctx, "sites.write", trust.id) ? `Edit ${department.name}` : null));
}

export default async function EditDepartmentPage({ params }: Params) {
  const ctx = await requireContext();
  const { ods, departmentId } = await params;
  const { trust, department, siteOptions } = await orNotFound(loadDepartment(ctx, ods, departmentId));
  if (!can(ctx, "sites.write", trust.id)) notFound();
  return (
    <>
      <PageHeader title={`Edit ${department.name}`} description={trust.name} />
      <DepartmentForm
        action={updateDepartmentAction.bind(null, trust.odsCode, department.id)}
        defaults={department}
        sites={siteOptions}
        isNew={false}
      />
    </>
  );
}
