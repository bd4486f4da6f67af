/** A form's fields as a plain object; fields that may repeat (checkboxes) become arrays. */
export function formFields(form: FormData, arrays: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) {
    if (key.startsWith("$ACTION")) continue;
    out[key] = arrays.includes(key) ? form.getAll(key) : form.get(key);
  }
  for (const key of arrays) out[key] ??= [];
  return out;
}

/** What a form's server action returns: nothing yet, or a failure to show beside the fields. */
export type FormState = {
  message?: string;
  fieldErrors?: Record<string, string[]>;
  values?: Record<string, unknown>;
} | null;

/** The form state of a failed mutation, keeping what the person typed (React resets the form). */
export function failedForm(
  result: { ok: false; error: { message: string; fieldErrors?: Record<string, string[]> } },
  values: Record<string, unknown>,
): FormState {
  return { message: result.error.message, fieldErrors: result.error.fieldErrors, values };
}
