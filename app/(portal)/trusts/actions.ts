"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { requireContext } from "@/lib/identity/request";
import { failedForm, readForm, type FormState } from "@/lib/forms";
import { createDepartment, createSite, createTrust, updateDepartment, updateSite, updateTrust } from "@/lib/trusts/commands";

// Each action: the caller from the session, the form decoded by readForm, then lib/ parses, checks the
// permission, writes and audits in one transaction. Bound ids come from the client and are
// checked again in lib/ like any other input.

export async function createTrustAction(_state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await createTrust(ctx, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath("/trusts");
  redirect(`/trusts/${result.data.odsCode}?created=trust`);
}

export async function updateTrustAction(ods: string, _state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await updateTrust(ctx, ods, values);
  if (!result.ok) return failedForm(result, values);
  redirect(`/trusts/${result.data.odsCode}?saved=trust`);
}

export async function createSiteAction(ods: string, _state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await createSite(ctx, ods, values);
  if (!result.ok) return failedForm(result, values);
  redirect(`/trusts/${result.data.odsCode}?created=site`);
}

export async function updateSiteAction(ods: string, siteId: string, _state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await updateSite(ctx, ods, siteId, values);
  if (!result.ok) return failedForm(result, values);
  redirect(`/trusts/${result.data.odsCode}?saved=site`);
}

export async function createDepartmentAction(ods: string, _state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await createDepartment(ctx, ods, values);
  if (!result.ok) return failedForm(result, values);
  redirect(`/trusts/${result.data.odsCode}?created=department`);
}

export async function updateDepartmentAction(ods: string, departmentId: string, _state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await updateDepartment(ctx, ods, departmentId, values);
  if (!result.ok) return failedForm(result, values);
  redirect(`/trusts/${result.data.odsCode}?saved=department`);
}
