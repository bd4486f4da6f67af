"use client";
import { useActionState, type ReactNode } from "react";
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

/** How the alert was resolved, and why: one set of fields for closing one alert or several. */
function ResolutionFields({ state, prefix, resolutions }: { state: FormState; prefix: string; resolutions: { value: string; label: string }[] }) {
  const errorId = `${prefix}-resolution-error`;
  return (
    <>
      <fieldset className={`flex flex-col gap-2 ${state?.fieldErrors?.resolution ? "border-l-4 border-danger pl-3" : ""}`} aria-describedby={state?.fieldErrors?.resolution ? errorId : undefined}>
        <legend className="font-semibold">Resolution</legend>
        {state?.fieldErrors?.resolution && (
          <p id={errorId} className="text-sm font-semibold text-danger">
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
      <Field id={`${prefix}-body`} label="Why" hint="What you found; it becomes the last note of each alert closed." errors={state?.fieldErrors?.body}>
        {(describedBy, invalid) => (
          <textarea id={`${prefix}-body`} name="body" rows={3} defaultValue={(state?.values?.body as string) ?? ""} aria-describedby={describedBy} aria-invalid={invalid} className={`${inputClass} max-w-2xl`} />
        )}
      </Field>
    </>
  );
}

export function CloseForm({ action, resolutions }: { action: Action; resolutions: { value: string; label: string }[] }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col gap-3">
      <FormMessage message={state?.fieldErrors || state?.values ? state.message : undefined} />
      <ResolutionFields state={state} prefix="close" resolutions={resolutions} />
      <div className="flex items-center gap-3">
        <SubmitButton>Close alert</SubmitButton>
        <Done state={state} />
      </div>
    </form>
  );
}

/** Opens a closed alert again; the reason becomes a note. */
export function ReopenForm({ action }: { action: Action }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col gap-3">
      <FormMessage message={state?.fieldErrors || state?.values ? state.message : undefined} />
      <Field id="reopen-body" label="Why reopen it" hint="At least 10 characters; it becomes a note." errors={state?.fieldErrors?.body}>
        {(describedBy, invalid) => (
          <textarea id="reopen-body" name="body" rows={3} defaultValue={(state?.values?.body as string) ?? ""} aria-describedby={describedBy} aria-invalid={invalid} className={`${inputClass} max-w-2xl`} />
        )}
      </Field>
      <div className="flex items-center gap-3">
        <SubmitButton>Reopen alert</SubmitButton>
        <Done state={state} />
      </div>
    </form>
  );
}

/**
 * The alert queue as one form: the rows (children) carry a checkbox named "ids" each, and the
 * chosen alerts are closed together with one resolution and reason, all or none. It stays mounted
 * whether or not anything is left to close (`canClose`), because the action's answer lives in its
 * state: closing the last open alerts of the queue re-renders it empty, and "2 alerts closed." must
 * still be said (unmounting the form lost it, so the officer saw the rows vanish unexplained).
 */
export function BulkCloseForm({
  action,
  resolutions,
  canClose,
  children,
}: {
  action: (state: FormState, form: FormData) => Promise<FormState>;
  resolutions: { value: string; label: string }[];
  canClose: boolean;
  children: ReactNode;
}) {
  const [state, formAction] = useActionState(action, null);
  const idsError = state?.fieldErrors?.ids;
  if (!canClose) {
    return (
      <div className="flex flex-col gap-4">
        <Done state={state} />
        {children}
      </div>
    );
  }
  return (
    <form action={formAction} id="bulk-close" aria-label="Close the chosen alerts" className="flex flex-col gap-4">
      <FormMessage message={state?.fieldErrors || state?.values ? state.message : undefined} />
      {idsError && (
        <p id="ids-error" className="border-l-4 border-danger pl-3 text-sm font-semibold text-danger">
          <span className="sr-only">Error: </span>
          {idsError.join(" ")}
        </p>
      )}
      {children}
      <fieldset className="flex flex-col gap-3 rounded border border-line bg-white p-4">
        <legend className="px-1 text-lg font-bold">Close the ticked alerts</legend>
        <ResolutionFields state={state} prefix="bulk" resolutions={resolutions} />
        <div className="flex items-center gap-3">
          <SubmitButton pendingLabel="Closing…">Close ticked alerts</SubmitButton>
          <Done state={state} />
        </div>
      </fieldset>
    </form>
  );
}
