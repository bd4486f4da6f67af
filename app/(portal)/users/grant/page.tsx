import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { GrantRoleForm } from "@/components/users/grant-role-form";
import { londonToday } from "@/lib/calendar";
import { canAnywhere } from "@/lib/auth/context";
import { requireContext } from "@/lib/identity/request";
import { getNewUserOptions } from "@/lib/users/queries";
import { grantRoleAction } from "../actions";

export const metadata: Metadata = { title: "Grant a role by email" };

/** For rotations: someone employed by another trust comes to work here for a while. */
export default async function GrantByEmailPage() {
  const ctx = await requireContext();
  if (!canAnywhere(ctx, "roles.grant")) notFound();
  const options = await getNewUserOptions(ctx);
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/users" className="text-brand underline">
          Users
        </Link>{" "}
        / Grant a role by email
      </nav>
      <PageHeader
        title="Grant a role by email"
        description="For someone who already has an account at another trust of the consortium, such as a doctor on rotation. Give the first and last day of their time here."
      />
      <GrantRoleForm action={grantRoleAction} options={options.grantOptions} today={londonToday()} />
    </>
  );
}
