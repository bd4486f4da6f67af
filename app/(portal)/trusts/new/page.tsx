import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TrustForm } from "@/components/trusts/trust-form";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/auth/context";
import { requireContext } from "@/lib/identity/request";
import { createTrustAction } from "../actions";

export const metadata: Metadata = { title: "Onboard a trust" };

export default async function NewTrustPage() {
  const ctx = await requireContext();
  if (!can(ctx, "trusts.create", null)) notFound();
  return (
    <>
      <PageHeader title="Onboard a trust" description="Add a trust to the consortium. Add its sites and departments next." />
      <TrustForm action={createTrustAction} defaults={{ status: "onboarding" }} isNew />
    </>
  );
}
