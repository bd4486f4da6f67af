"use server";
import { revalidatePath } from "next/cache";
import { addAlertNote, assignAlert, closeAlert, closeAlerts, reopenAlert } from "@/lib/audit/alerts";
import { requireContext } from "@/lib/identity/request";
import { failedForm, readForm, type FormState } from "@/lib/forms";

async function run(alertId: string, form: FormData, change: typeof assignAlert, done: string): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await change(ctx, alertId, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath(`/audit/alerts/${alertId}`);
  revalidatePath("/audit/alerts");
  return { message: done };
}

export async function assignAlertAction(alertId: string, _state: FormState, form: FormData): Promise<FormState> {
  return run(alertId, form, assignAlert, "Assigned.");
}

export async function addAlertNoteAction(alertId: string, _state: FormState, form: FormData): Promise<FormState> {
  return run(alertId, form, addAlertNote, "Note added.");
}

export async function closeAlertAction(alertId: string, _state: FormState, form: FormData): Promise<FormState> {
  return run(alertId, form, closeAlert, "Alert closed.");
}

export async function reopenAlertAction(alertId: string, _state: FormState, form: FormData): Promise<FormState> {
  return run(alertId, form, reopenAlert, "Alert reopened.");
}

export async function closeAlertsAction(_state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await closeAlerts(ctx, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath("/audit/alerts", "layout");
  revalidatePath("/");
  return { message: result.data.closed === 1 ? "1 alert closed." : `${result.data.closed} alerts closed.` };
}
