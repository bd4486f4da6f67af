"use client";
import { useActionState } from "react";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/form-fields";
import { setPasswordAction } from "./actions";

export function SetPasswordForm({ token }: { token: string }) {
  const [state, formAction] = useActionState(setPasswordAction, null);
  return (
    <form action={formAction} noValidate className="flex flex-col gap-5">
      <FormMessage message={state?.message} />
      <input type="hidden" name="token" value={token} />
      {/* The account's email for password managers; not editable. */}
      <Field id="password" label="New password" errors={state?.fieldErrors?.password ?? state?.fieldErrors?.token}>
        {(describedBy, invalid) => (
          <input id="password" name="password" type="password" autoComplete="new-password" required aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} />
        )}
      </Field>
      <Field id="confirm" label="New password again" errors={state?.fieldErrors?.confirm}>
        {(describedBy, invalid) => (
          <input id="confirm" name="confirm" type="password" autoComplete="new-password" required aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} />
        )}
      </Field>
      <div>
        <SubmitButton>Set password</SubmitButton>
      </div>
    </form>
  );
}
