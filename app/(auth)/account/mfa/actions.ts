"use server";
import { requireEnrollingContext } from "@/lib/identity/request";
import { confirmMfaEnrolment, startMfaEnrolment } from "@/lib/identity/mfa";
import { AppError } from "@/lib/errors";
import { readForm } from "@/lib/forms";

export type EnrolState = {
  message?: string;
  fieldErrors?: Record<string, string[]>;
  setup?: { secret: string; qrDataUrl: string };
  recoveryCodes?: string[];
} | null;

/** Starts enrolment: a new secret, its QR code and the key to type in. */
export async function startEnrolmentAction(): Promise<EnrolState> {
  const ctx = await requireEnrollingContext();
  try {
    const { secret, qrDataUrl } = await startMfaEnrolment(ctx);
    return { setup: { secret, qrDataUrl } };
  } catch (error) {
    if (error instanceof AppError) return { message: error.message };
    throw error;
  }
}

/** Confirms enrolment with a code from the app; the recovery codes are shown once. */
export async function confirmEnrolmentAction(state: EnrolState, form: FormData): Promise<EnrolState> {
  const ctx = await requireEnrollingContext();
  const fields = readForm(form);
  if (!fields.ok) return { ...state, message: fields.error.message, fieldErrors: fields.error.fieldErrors };
  const result = await confirmMfaEnrolment(ctx, { code: String(fields.data.code ?? "") });
  if (!result.ok) return { ...state, message: result.error.message, fieldErrors: result.error.fieldErrors };
  return { recoveryCodes: result.data.recoveryCodes };
}
