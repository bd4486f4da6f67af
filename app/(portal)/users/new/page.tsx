import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { UserForm } from "@/components/users/user-form";
import { londonToday } from "@/lib/calendar";
import { canAnywhere } from "@/lib/auth/context";
import { requireContext } from "@/lib/identity/request";
import { getNewUserOptions } from "@/lib/users/queries";
import { createUserAction } from "../actions";

export const metadata: Metadata = { title: "Add a person" };

export default async function NewUserPage() {
  const ctx = await requireContext();
  if (!canAnywhere(ctx, "users.write")) notFound();
  const options = await getNewUserOptions(ctx);
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/users" className="text-brand underline">
          Users
        </Link>{" "}
        / Add a person
      </nav>
      <PageHeader title="Add a person" description="Someone who works at one of your trusts. You get a set-password link to give them; no email is sent." />
      <UserForm
        action={createUserAction}
        isNew
        defaults={{}}
        homeTrusts={options.homeTrusts.map((t) => ({ id: t.id, label: `${t.name} (${t.odsCode})` }))}
        allowNoHomeTrust={options.canCreateConsortiumUser}
        grantOptions={options.grantOptions}
        today={londonToday()}
      />
    </>
  );
}
