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

/**
 * A form whose field names are paths (`draft.rules.0.modalities[]`) as a nested object: numeric
 * segments make arrays, a trailing `[]` collects every value of a repeated field (checkbox groups),
 * so that zod errors come back under the same dotted names the inputs carry.
 */
export function nestedFormFields(form: FormData): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const rawKey of new Set(form.keys())) {
    if (rawKey.startsWith("$ACTION")) continue;
    const many = rawKey.endsWith("[]");
    const key = many ? rawKey.slice(0, -2) : rawKey;
    const value = many ? form.getAll(rawKey) : form.get(rawKey);
    const parts = key.split(".");
    // No huge sparse arrays from a crafted form.
    if (parts.some((p) => /^\d+$/.test(p) && Number(p) > 500)) continue;
    let node: Record<string, unknown> | unknown[] = root;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const slot = /^\d+$/.test(part) ? Number(part) : part;
      const container = node as Record<string | number, unknown>;
      if (last) {
        container[slot] = value;
        return;
      }
      const nextIsIndex = /^\d+$/.test(parts[i + 1] ?? "");
      container[slot] ??= nextIsIndex ? [] : {};
      node = container[slot] as Record<string, unknown> | unknown[];
    });
  }
  return compactArrays(root) as Record<string, unknown>;
}

/** Arrays built from indexed names lose their holes (a rule removed in the middle of the form). */
function compactArrays(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compactArrays);
  if (value && typeof value === "object" && !(value instanceof File)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compactArrays(v)]));
  }
  return value;
}
