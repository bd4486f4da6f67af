import { parse } from "qs";
import type { ActionResult } from "./result";
import { forbiddenKeyMessage, isForbiddenKey } from "./untrusted-keys";

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

// Deep enough for the policy editor's draft.rules.0.modalities[]; a deeper name is refused, not
// silently flattened. Rule indexes above arrayLimit become object keys, which the schemas refuse.
const qsOptions = { allowDots: true, depth: 5, strictDepth: true, arrayLimit: 500, allowPrototypes: false } as const;

/**
 * Every form's fields as one object, decoded by qs: dotted names (`policy.name`) make objects,
 * numeric segments make arrays without holes, and a trailing `[]` collects every value of a
 * repeated field (checkbox groups), so zod's errors come back under the names the inputs carry.
 * A field name any of whose segments is `__proto__`, `constructor` or `prototype` refuses the whole
 * submission before anything is built from it: qs would drop such a key silently, and a
 * submission nobody's form can send is refused and named rather than half-read.
 */
export function readForm(form: FormData): ActionResult<Record<string, unknown>> {
  const fields: Record<string, FormDataEntryValue | FormDataEntryValue[]> = {};
  const refused: string[] = [];
  for (const name of new Set(form.keys())) {
    if (name.startsWith("$ACTION")) continue; // React's own fields for the action's id and bound args
    if (name.split(/[.[\]]/).some(isForbiddenKey)) {
      refused.push(name);
      continue;
    }
    const all = form.getAll(name);
    fields[name] = all.length === 1 ? (all[0] as FormDataEntryValue) : all;
  }
  if (refused.length) {
    // Object.fromEntries defines own properties: a key "__proto__" stays a key here.
    const fieldErrors = Object.fromEntries(refused.map((name) => [name, [`The field "${name}" ${forbiddenKeyMessage}.`]]));
    const message = `The form was refused: the field ${refused.map((n) => `"${n}"`).join(", ")} ${forbiddenKeyMessage}. Nothing was saved.`;
    return { ok: false, error: { code: "VALIDATION", message, fieldErrors } };
  }
  try {
    // qs takes an object of decoded values as well as a query string; its types say strings only,
    // but it copies any value through (files, and the arrays of repeated fields).
    return { ok: true, data: parse(fields as Record<string, string>, qsOptions) };
  } catch (error) {
    // strictDepth: a field name nested deeper than any form of Mosaic.
    const message = `The form was refused: ${(error as Error).message}. Nothing was saved.`;
    return { ok: false, error: { code: "VALIDATION", message, fieldErrors: { _form: [message] } } };
  }
}
