import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { UserForm } from "@/components/users/user-form";
import { cache } from "react";
import { londonToday } from "@/lib/calendar";
import { getRequestContext, requireContext } from "@/lib/identity/request";
import { orNotFound, titleOf } from "@/lib/pages";
import { getNewUserOptions, getUser } from "@/lib/users/queries";
import { updateUserAction } from "../../actions";

// The title and the page read the same person once per request.
const loadUser = cache(getUser);

type Params = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { id } = await params;
  return titleOf(await getRequestContext(), (ctx) => loadUser(ctx, id), (user) => (user.canManage ? `Edit ${user.name}` : null));
}

export default async function EditUserPage({ params }: Params) {
  const ctx = await requireContext();
  const { id } = await params;
  const user = await orNotFound(loadUser(ctx, id));
  if (!user.canManage) notFound();
  const options = await getNewUserOptions(ctx);
  const homeTrusts = options.homeTrusts.map((t) => ({ id: t.id, label: `${t.name} (${t.odsCode})` }));
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/users" className="text-brand underline">
          Users
        </Link>{" "}
        /{" "}
        <Link href={`/users/${user.id}`} className="text-brand underline">
          {user.name}
        </Link>{" "}
        / Edit
      </nav>
      <PageHeader title={`Edit ${user.name}`} />
      <UserForm
        action={updateUserAction.bind(null, user.id)}
        isNew={false}
        defaults={{ name: user.name, email: user.email, homeTrustId: user.homeTrustId ?? "" }}
        homeTrusts={homeTrusts}
        allowNoHomeTrust={options.canCreateConsortiumUser}
        today={londonToday()}
      />
    </>
  );
}
