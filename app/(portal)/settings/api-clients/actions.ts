"use server";
import { revalidatePath } from "next/cache";
import { createApiClient, revokeApiClient, revokeApiKey, rotateApiKey } from "@/lib/api-clients/commands";
import { requireContext } from "@/lib/identity/request";
import { failedForm, readForm, type FormState } from "@/lib/forms";

export type KeyFormState = (FormState & { key?: string; prefix?: string }) | null;

const path = "/settings/api-clients";

export async function createApiClientAction(_state: KeyFormState, form: FormData): Promise<KeyFormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await createApiClient(ctx, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath(path);
  // The key is shown this once; only its hash is kept.
  return { key: result.data.key, prefix: result.data.prefix };
}

export async function rotateApiKeyAction(clientId: string, _state: KeyFormState, form: FormData): Promise<KeyFormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await rotateApiKey(ctx, clientId, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath(path);
  return { key: result.data.key, prefix: result.data.prefix };
}

export async function revokeApiKeyAction(clientId: string, keyId: string, _state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await revokeApiKey(ctx, clientId, keyId, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath(path);
  return { message: "Key revoked." };
}

export async function revokeApiClientAction(clientId: string, _state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const values = fields.data;
  const result = await revokeApiClient(ctx, clientId, values);
  if (!result.ok) return failedForm(result, values);
  revalidatePath(path);
  return { message: "Client revoked." };
}
