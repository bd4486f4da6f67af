"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { requireContext } from "@/lib/identity/request";
import { failedForm, readForm, type FormState } from "@/lib/forms";
import {
  approveVersion,
  createPolicy,
  liftRestriction,
  restrictPatient,
  returnToDraft,
  revokeVersion,
  saveDraft,
  startNewVersion,
  submitForApproval,
} from "@/lib/sharing/commands";

// Each action: the caller from the session, the form decoded by readForm, then lib/ parses, checks the
// permission, writes and audits in one transaction. Bound ids come from the client and are
// checked again in lib/ like any other input.

const prefixed = (prefix: string, errors?: Record<string, string[]>) =>
  errors && Object.fromEntries(Object.entries(errors).map(([k, v]) => [k === "_form" ? k : `${prefix}${k}`, v]));

export async function createPolicyAction(_state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await createPolicy(ctx, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath("/sharing");
  redirect(`/sharing/policies/${result.data.policyId}?saved=draft`);
}

export async function saveDraftAction(versionId: string, _state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await saveDraft(ctx, versionId, values.draft);
  // The editor names its fields draft.*; the draft schema reports them without the prefix.
  if (!result.ok) return failedForm({ ok: false, error: { ...result.error, fieldErrors: prefixed("draft.", result.error.fieldErrors) } }, values);
  redirect(`/sharing/policies/${result.data.policyId}?saved=draft`);
}

/** Actions on a version that take no input but the button: submit, approve, start a new version. */
export async function versionStepAction(step: "submit" | "approve" | "new_version", id: string, _state: FormState, _form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const result = step === "submit" ? await submitForApproval(ctx, id) : step === "approve" ? await approveVersion(ctx, id) : await startNewVersion(ctx, id);
  if (!result.ok) return { message: result.error.message };
  revalidatePath("/sharing");
  if (step === "new_version") redirect(`/sharing/policies/${result.data.policyId}/versions/${result.data.versionId}/edit`);
  redirect(`/sharing/policies/${result.data.policyId}?saved=${step}`);
}

/** Actions that need a reason: return to the author, revoke. */
export async function versionReasonAction(step: "return" | "revoke", versionId: string, _state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = step === "return" ? await returnToDraft(ctx, versionId, values) : await revokeVersion(ctx, versionId, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath("/sharing");
  redirect(`/sharing/policies/${result.data.policyId}?saved=${step}`);
}

export async function restrictPatientAction(_state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await restrictPatient(ctx, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath("/sharing/restrictions");
  redirect("/sharing/restrictions?saved=restricted");
}

export async function liftRestrictionAction(restrictionId: string, _state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await liftRestriction(ctx, restrictionId, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath("/sharing/restrictions");
  redirect("/sharing/restrictions?saved=lifted");
}
