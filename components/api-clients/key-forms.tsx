"use client";
import { useActionState } from "react";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SelectField, SubmitButton, TextField } from "@/components/ui/form-fields";
import type { FormState } from "@/lib/forms";

type KeyState = (FormState & { key?: string; prefix?: string }) | null;
type KeyAction = (state: KeyState, form: FormData) => Promise<KeyState>;
type PlainAction = (state: FormState, form: FormData) => Promise<FormState>;

/** The new key, shown once, in a box that is easy to copy from. */
function NewKey({ state }: { state: KeyState }) {
  if (!state?.key) return null;
  return (
    <div role="status" className="mb-4 border-l-4 border-success bg-white p-4">
      <p className="font-semibold">Copy this key now: it is shown only once.</p>
      <label htmlFor={`key-${state.prefix}`} className="mt-2 block text-sm text-muted">
        API key (prefix {state.prefix})
      </label>
      <input id={`key-${state.prefix}`} readOnly value={state.key} className={`${inputClass} max-w-full font-mono`} data-testid="new-api-key" />
    </div>
  );
}

export function CreateApiClientForm({ action, owners, scopes }: { action: KeyAction; owners: { value: string; label: string }[]; scopes: { value: string; label: string }[] }) {
  const [state, formAction] = useActionState(action, null);
  const chosen = new Set((state?.values?.scopes ?? []) as string[]);
  const scopeErrors = state?.fieldErrors?.scopes ?? Object.entries(state?.fieldErrors ?? {}).find(([k]) => k.startsWith("scopes."))?.[1];
  return (
    <>
      <NewKey state={state} />
      <form action={formAction} key={JSON.stringify(state?.values ?? state?.key ?? null)} noValidate className="flex max-w-xl flex-col gap-5">
        <FormMessage message={state?.message} />
        <TextField name="name" label="Name" hint="What the client is, for example Portsmouth PACS audit forwarder." state={state} defaults={{}} />
        <SelectField name="owner" label="Belongs to" options={owners} state={state} defaults={{}} />
        <fieldset className={`flex flex-col gap-2 ${scopeErrors ? "border-l-4 border-danger pl-3" : ""}`} aria-describedby={scopeErrors ? "scopes-error" : undefined}>
          <legend className="font-semibold">Scopes</legend>
          {scopeErrors && (
            <p id="scopes-error" className="text-sm font-semibold text-danger">
              <span className="sr-only">Error: </span>
              {scopeErrors.join(" ")}
            </p>
          )}
          {scopes.map((s) => (
            <label key={s.value} className="flex items-center gap-2">
              <input type="checkbox" name="scopes[]" value={s.value} defaultChecked={chosen.has(s.value)} className="h-5 w-5" />
              <span>
                <code>{s.value}</code> <span className="text-muted">· {s.label}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div>
          <SubmitButton>Create client and key</SubmitButton>
        </div>
      </form>
    </>
  );
}

export function RotateKeyForm({ action, clientName }: { action: KeyAction; clientName: string }) {
  const [state, formAction] = useActionState(action, null);
  const id = `grace-${clientName.replace(/\W+/g, "-")}`;
  return (
    <div>
      <NewKey state={state} />
      <FormMessage message={state?.message} />
      <form action={formAction} className="flex flex-wrap items-end gap-3">
        <Field id={id} label="Old keys stop working" errors={state?.fieldErrors?.graceHours}>
          {(describedBy) => (
            <select id={id} name="graceHours" defaultValue="24" aria-describedby={describedBy} className={inputClass}>
              <option value="0">Now</option>
              <option value="24">In 24 hours</option>
              <option value="168">In 7 days</option>
            </select>
          )}
        </Field>
        <SubmitButton>
          Rotate key<span className="sr-only"> of {clientName}</span>
        </SubmitButton>
      </form>
    </div>
  );
}

export function RevokeForm({ action, label, what }: { action: PlainAction; label: string; what: string }) {
  const [state, formAction] = useActionState(action, null);
  const id = `reason-${what.replace(/\W+/g, "-")}`;
  if (state && !state.fieldErrors && !state.values) {
    return <p role="status" className="font-semibold">{state.message}</p>;
  }
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-3">
      <Field id={id} label={`Reason to revoke ${what}`} errors={state?.fieldErrors?.reason}>
        {(describedBy, invalid) => <input id={id} name="reason" aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} />}
      </Field>
      <SubmitButton>{label}</SubmitButton>
    </form>
  );
}
