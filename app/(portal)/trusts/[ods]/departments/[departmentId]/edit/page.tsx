import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DepartmentForm } from "@/components/trusts/department-form";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/auth/context";
import { requireContext } from "@/lib/auth/request";
import { orNotFound } from "@/lib/pages";
import { getDepartment } from "@/lib/trusts/queries";
import { updateDepartmentAction } from "../../../../actions";

export const metadata: Metadata = { title: "Edit department" };

export default async function EditDepartmentPage({ params }: { params: Promise<{ ods: string; departmentId: string }> }) {
  const ctx = await requireContext();
  const { ods, departmentId } = await params;
  const { trust, department, siteOptions } = await orNotFound(getDepartment(ctx, ods, departmentId));
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
