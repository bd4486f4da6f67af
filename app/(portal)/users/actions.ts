"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { requireContext } from "@/lib/identity/request";
import { failedForm, readForm, type FormState } from "@/lib/forms";
import {
  createPasswordResetLink,
  createUser,
  grantRole,
  markLeaver,
  reactivateUser,
  resetMfa,
  revokeRole,
  setLeavingDate,
  suspendUser,
  unlockUser,
  updateUser,
} from "@/lib/users/commands";
import { extendRole } from "@/lib/users/extend";
import { commitImport, previewImport, type ImportedLink, type ImportPreview } from "@/lib/users/import";
import { formatDay, lastLondonDayOf } from "@/lib/calendar";
import type { ExtendState } from "@/components/users/extend-role-form";

// Each action: the caller from the session, the form decoded by readForm, then lib/ parses, checks the
// rule, writes and audits in one transaction. Bound ids come from the client and are checked again
// in lib/ like any other input.

/** What the forms that hand back a set-password link receive: the link's token, shown once. */
export type LinkState = (NonNullable<FormState> & { link?: { userId: string; token: string; expiresAt: string } }) | null;

export async function createUserAction(_state: LinkState, form: FormData): Promise<LinkState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await createUser(ctx, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath("/users");
  return { link: { userId: result.data.id, token: result.data.setPasswordToken, expiresAt: result.data.expiresAt.toISOString() } };
}

export async function updateUserAction(userId: string, _state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await updateUser(ctx, userId, values);
  if (!result.ok) return failedForm(result, values);
  redirect(`/users/${userId}?done=saved`);
}

export async function grantRoleAction(_state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await grantRole(ctx, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath("/users");
  redirect(`/users/${result.data.userId}?done=granted`);
}

export async function resetLinkAction(userId: string, _state: LinkState): Promise<LinkState> {
  const ctx = await requireContext();
  const result = await createPasswordResetLink(ctx, userId);
  if (!result.ok) return { message: result.error.message };
  return { link: { userId, token: result.data.setPasswordToken, expiresAt: result.data.expiresAt.toISOString() } };
}

/** The status changes and revocation: plain forms, answered with a notice on the user's page. */
async function statusChange(userId: string, done: string, run: (ctx: Awaited<ReturnType<typeof requireContext>>) => Promise<{ ok: boolean; error?: { message: string } }>) {
  const ctx = await requireContext();
  const result = await run(ctx);
  revalidatePath("/users");
  if (!result.ok) redirect(`/users/${userId}?failed=${encodeURIComponent(result.error?.message ?? "Nothing was changed.")}`);
  redirect(`/users/${userId}?done=${done}`);
}

/** Suspends a person with the reason typed (required): errors come back beside the field. */
export async function suspendUserAction(userId: string, _state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await suspendUser(ctx, userId, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath("/users");
  redirect(`/users/${userId}?done=suspended`);
}

/** Sets or clears a person's leaving date: errors come back beside the field. */
export async function setLeavingDateAction(userId: string, _state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await setLeavingDate(ctx, userId, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath("/users");
  redirect(`/users/${userId}?done=${result.data.leavesAt ? "leaving-date" : "leaving-cleared"}`);
}

/** "Extend" from roles ending soon: a new last day for one role; answered beside its field. */
export async function extendRoleAction(_state: ExtendState, form: FormData): Promise<ExtendState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await extendRole(ctx, values);
  if (!result.ok) return failedForm(result, values);
  // No revalidation of the list: the extended role would leave "ending soon" at once and take its
  // row, with this confirmation, with it. The next visit reads the list afresh (the page is dynamic).
  return { done: `Extended: last day ${formatDay(lastLondonDayOf(result.data.validUntil))}.` };
}

export async function reactivateUserAction(userId: string) {
  await statusChange(userId, "reactivated", (ctx) => reactivateUser(ctx, userId));
}

export async function markLeaverAction(userId: string) {
  await statusChange(userId, "leaver", (ctx) => markLeaver(ctx, userId));
}

export async function unlockUserAction(userId: string) {
  await statusChange(userId, "unlocked", (ctx) => unlockUser(ctx, userId));
}

export async function resetMfaAction(userId: string) {
  await statusChange(userId, "mfa-reset", (ctx) => resetMfa(ctx, userId));
}

export async function revokeRoleAction(userId: string, assignmentId: string) {
  await statusChange(userId, "revoked", (ctx) => revokeRole(ctx, { assignmentId }));
}

export type ImportState = { message?: string; preview?: ImportPreview; csv?: string; imported?: { created: number; granted: number; unchanged: number; links: ImportedLink[] } } | null;

/** Checks an uploaded CSV file and shows each row's problems; nothing is written. */
export async function previewImportAction(_state: ImportState, form: FormData): Promise<ImportState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return { message: fields.error.message };
  const { file } = fields.data;
  const csv = file instanceof File ? await file.text() : String(fields.data.csv ?? "");
  const result = await previewImport(ctx, csv);
  if (!result.ok) return { message: result.error.message };
  return { preview: result.data, csv };
}

/** Imports a checked file: every row or none (the file is checked again here, never trusted from the preview). */
export async function commitImportAction(_state: ImportState, form: FormData): Promise<ImportState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return { message: fields.error.message };
  const csv = String(fields.data.csv ?? "");
  const result = await commitImport(ctx, csv);
  if (!result.ok) {
    const again = await previewImport(ctx, csv);
    return { message: result.error.message, preview: again.ok ? again.data : undefined, csv };
  }
  revalidatePath("/users");
  return { imported: result.data };
}
