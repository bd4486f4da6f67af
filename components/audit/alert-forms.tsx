"use client";
import { useActionState } from "react";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/form-fields";
import type { FormState } from "@/lib/forms";

type Action = (state: FormState, form: FormData) => Promise<FormState>;

function Done({ state }: { state: FormState }) {
  if (!state || state.fieldErrors || state.values) return null;
  return (
    <p role="status" className="font-semibold text-success">
      {state.message}
    </p>
  );
}

export function AssignForm({ action, workers, current }: { action: Action; workers: { id: string; name: string; email: string }[]; current: string | null }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-3">
      <Field id="assignee" label="Assign to" errors={state?.fieldErrors?.assignee}>
        {(describedBy, invalid) => (
          <select id="assignee" name="assignee" defaultValue={current ?? ""} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass}>
            <option value="">Choose an IG officer</option>
            {workers.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name} ({w.email})
              </option>
            ))}
          </select>
        )}
      </Field>
      <SubmitButton>Assign</SubmitButton>
      <Done state={state} />
    </form>
  );
}

export function NoteForm({ action }: { action: Action }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} key={state?.message ?? "note"} className="flex flex-col gap-3">
      <Field id="note-body" label="Add a note" errors={state?.fieldErrors?.body}>
        {(describedBy, invalid) => (
          <textarea id="note-body" name="body" rows={3} defaultValue={(state?.values?.body as string) ?? ""} aria-describedby={describedBy} aria-invalid={invalid} className={`${inputClass} max-w-2xl`} />
        )}
      </Field>
      <div className="flex items-center gap-3">
        <SubmitButton>Add note</SubmitButton>
        <Done state={state} />
      </div>
    </form>
  );
}

export function CloseForm({ action, resolutions }: { action: Action; resolutions: { value: string; label: string }[] }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col gap-3">
      <FormMessage message={state?.fieldErrors ? state.message : undefined} />
      <fieldset className={`flex flex-col gap-2 ${state?.fieldErrors?.resolution ? "border-l-4 border-danger pl-3" : ""}`} aria-describedby={state?.fieldErrors?.resolution ? "resolution-error" : undefined}>
        <legend className="font-semibold">Resolution</legend>
        {state?.fieldErrors?.resolution && (
          <p id="resolution-error" className="text-sm font-semibold text-danger">
            {state.fieldErrors.resolution.join(" ")}
          </p>
        )}
        {resolutions.map((r) => (
          <label key={r.value} className="flex items-center gap-2">
            <input type="radio" name="resolution" value={r.value} defaultChecked={state?.values?.resolution === r.value} className="h-5 w-5" />
            {r.label}
          </label>
        ))}
      </fieldset>
      <Field id="close-body" label="Why" hint="What you found; it becomes the alert's last note." errors={state?.fieldErrors?.body}>
        {(describedBy, invalid) => (
          <textarea id="close-body" name="body" rows={3} defaultValue={(state?.values?.body as string) ?? ""} aria-describedby={describedBy} aria-invalid={invalid} className={`${inputClass} max-w-2xl`} />
        )}
      </Field>
      <div className="flex items-center gap-3">
        <SubmitButton>Close alert</SubmitButton>
        <Done state={state} />
      </div>
    </form>
  );
}
