"use client";
import { useActionState } from "react";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/form-fields";
import type { FormState } from "@/lib/forms";

/** Suspends a person with a reason (required; shown in their history of changes). */
export function SuspendForm({ action, name }: { action: (state: FormState, form: FormData) => Promise<FormState>; name: string }) {
  const [state, formAction] = useActionState(action, null);
  const errors = state?.fieldErrors?.reason;
  return (
    <form action={formAction} noValidate className="mt-3 flex max-w-xl flex-col gap-3" key={JSON.stringify(state?.values ?? {})}>
      <FormMessage message={errors ? undefined : state?.message} />
      <Field id="suspend-reason" label="Reason for suspending" hint={`Kept in ${name}'s history of changes. They cannot sign in until reactivated.`} errors={errors}>
        {(describedBy, invalid) => (
          <textarea
            id="suspend-reason"
            name="reason"
            rows={3}
            maxLength={500}
            defaultValue={String(state?.values?.reason ?? "")}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            className={inputClass}
          />
        )}
      </Field>
      <div>
        <SubmitButton variant="secondary" pendingLabel="Suspending…">
          Suspend {name}
        </SubmitButton>
      </div>
    </form>
  );
}
