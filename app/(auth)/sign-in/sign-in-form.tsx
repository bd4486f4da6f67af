"use client";
import { useActionState, useState } from "react";
import { SubmitButton } from "@/components/ui/form-fields";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { signInAction } from "./actions";

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const [state, formAction] = useActionState(signInAction, null);
  const email = (state?.values?.email as string | undefined) ?? "";
  // After a right password, an account with a second factor is asked for its code.
  const askCode = state?.values?.step === "code";
  // Kept in the browser only, so that the second step can send it again with the code.
  const [password, setPassword] = useState("");
  return (
    <form action={formAction} key={email} noValidate className="flex flex-col gap-5">
      <FormMessage message={state?.message} />
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <Field id="email" label="Email address" errors={state?.fieldErrors?.email}>
        {(describedBy, invalid) => (
          <input id="email" name="email" type="email" autoComplete="username" defaultValue={email} required aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} />
        )}
      </Field>
      {askCode ? (
        <>
          <input type="hidden" name="password" value={password} />
          <Field id="code" label="Code from your authenticator app" hint="6 digits, or one of your recovery codes.">
            {(describedBy, invalid) => (
              <input id="code" name="code" inputMode="numeric" autoComplete="one-time-code" autoFocus required aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} />
            )}
          </Field>
        </>
      ) : (
        <Field id="password" label="Password" errors={state?.fieldErrors?.password}>
          {(describedBy, invalid) => (
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              className={inputClass}
            />
          )}
        </Field>
      )}
      <div>
        <SubmitButton>Sign in</SubmitButton>
      </div>
    </form>
  );
}
