"use server";
import { revalidatePath } from "next/cache";
import { requireContext } from "@/lib/identity/request";
import { decideQuotaRequest, requestQuotaChange } from "@/lib/capacity/commands";
import type { QuotaFormState } from "@/components/capacity/quota-forms";
import { failedForm, readForm } from "@/lib/forms";

// The caller from the session; lib/ parses, checks quota.request / quota.approve at the trust,
// writes and audits in one transaction.

export async function requestQuotaAction(_state: QuotaFormState, form: FormData): Promise<QuotaFormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await requestQuotaChange(ctx, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath("/storage");
  return { done: `Request sent for ${result.data.odsCode}. A CIO will approve or decline it.` };
}

export async function decideQuotaAction(_state: QuotaFormState, form: FormData): Promise<QuotaFormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await decideQuotaRequest(ctx, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath("/storage");
  revalidatePath("/");
  return { done: result.data.status === "approved" ? "Approved: the quota has changed." : "Declined: the quota stays as it is." };
}
