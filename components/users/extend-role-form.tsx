"use client";
import { useActionState } from "react";
import { Field, inputClass } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/form-fields";
import type { FormState } from "@/lib/forms";

export type ExtendState = (NonNullable<FormState> & { done?: string }) | null;

/**
 * "Extend" on a role ending soon: a new last day (a London day) beside the role, its error beside
 * the field. The server checks the rule, the day and the next grant again.
 */
export function ExtendRoleForm({
  action,
  assignmentId,
  currentLastDay,
  who,
}: {
  action: (state: ExtendState, form: FormData) => Promise<ExtendState>;
  assignmentId: string;
  currentLastDay: string;
  who: string;
}) {
  const [state, formAction] = useActionState(action, null);
  const id = `extend-${assignmentId}`;
  const errors = state?.fieldErrors?.validUntil ?? state?.fieldErrors?.assignmentId ?? (state?.message && !state.fieldErrors ? [state.message] : undefined);
  if (state?.done) {
    return (
      <p role="status" className="font-semibold text-success">
        {state.done}
      </p>
    );
  }
  return (
    <form action={formAction} noValidate className="flex flex-wrap items-end gap-2" key={JSON.stringify(state?.values ?? {})}>
      <input type="hidden" name="assignmentId" value={assignmentId} />
      <Field id={id} label={`New last day for ${who}`} errors={errors}>
        {(describedBy, invalid) => (
          <input
            id={id}
            name="validUntil"
            type="date"
            min={currentLastDay}
            defaultValue={String(state?.values?.validUntil ?? "")}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            className={`${inputClass} max-w-[12rem]`}
          />
        )}
      </Field>
      <SubmitButton variant="secondary" pendingLabel="Extending…">
        Extend
      </SubmitButton>
    </form>
  );
}
