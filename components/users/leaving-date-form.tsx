"use client";
import { useActionState } from "react";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/form-fields";
import type { FormState } from "@/lib/forms";

/**
 * A leaving date in the future: the person stays active until the end of their last working day
 * (London), then becomes a leaver by themselves. Empty clears a date set earlier.
 */
export function LeavingDateForm({
  action,
  name,
  lastDay,
  today,
}: {
  action: (state: FormState, form: FormData) => Promise<FormState>;
  name: string;
  lastDay: string | null;
  today: string;
}) {
  const [state, formAction] = useActionState(action, null);
  const errors = state?.fieldErrors?.lastDay;
  return (
    <form action={formAction} noValidate className="mt-3 flex max-w-xl flex-col gap-3" key={JSON.stringify(state?.values ?? {})}>
      <FormMessage message={errors ? undefined : state?.message} />
      <Field
        id="leaving-last-day"
        label="Last working day"
        hint={`${name} stays active until the end of this day (UK time), then every role, session and link ends by itself. Leave it empty to clear the date.`}
        errors={errors}
      >
        {(describedBy, invalid) => (
          <input
            id="leaving-last-day"
            name="lastDay"
            type="date"
            min={today}
            defaultValue={String(state?.values?.lastDay ?? lastDay ?? "")}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            className={`${inputClass} max-w-[14rem]`}
          />
        )}
      </Field>
      <div>
        <SubmitButton variant="secondary">{lastDay ? "Change the leaving date" : "Set the leaving date"}</SubmitButton>
      </div>
    </form>
  );
}
