"use server";
import { redirect } from "next/navigation";
import { requireContext } from "@/lib/identity/request";
import { readForm } from "@/lib/forms";
import { setMfaRequirement } from "@/lib/identity/mfa";

/** Turns the consortium's second-factor requirement for portal roles on or off. */
export async function setMfaRequirementAction(form: FormData) {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) redirect(`/settings/security?failed=${encodeURIComponent(fields.error.message)}`);
  const result = await setMfaRequirement(ctx, { required: fields.data.required === "on" });
  if (!result.ok) redirect(`/settings/security?failed=${encodeURIComponent(result.error.message)}`);
  redirect("/settings/security?saved=1");
}
