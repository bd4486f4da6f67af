"use server";
import { redirect } from "next/navigation";
import { createDevice, retireDevice, updateDevice } from "@/lib/devices/commands";
import { requireContext } from "@/lib/identity/request";
import { failedForm, readForm, type FormState } from "@/lib/forms";

// As the trusts' actions: the caller from the session, the form decoded by readForm, then lib/
// parses, checks the permission, writes and audits in one transaction. Bound ids come from the
// client and are checked again in lib/ like any other input.

export async function createDeviceAction(ods: string, _state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const result = await createDevice(ctx, ods, fields.data);
  if (!result.ok) return failedForm(result, fields.data);
  redirect(`/trusts/${result.data.odsCode}/devices?created=device`);
}

export async function updateDeviceAction(ods: string, deviceId: string, _state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const result = await updateDevice(ctx, ods, deviceId, fields.data);
  if (!result.ok) return failedForm(result, fields.data);
  redirect(`/trusts/${result.data.odsCode}/devices?saved=device`);
}

export async function retireDeviceAction(ods: string, deviceId: string, _state: FormState, _form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const result = await retireDevice(ctx, ods, deviceId);
  if (!result.ok) return failedForm(result, {});
  redirect(`/trusts/${result.data.odsCode}/devices?retired=device`);
}
