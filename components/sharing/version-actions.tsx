"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field, inputClass } from "@/components/ui/field";
import { SubmitButton, type FormAction } from "@/components/ui/form-fields";
import { FormMessage } from "@/components/ui/form-message";

/** One button that takes a step (submit for approval, approve, start a new version). */
export function StepButton({ action, label, variant = "primary" }: { action: FormAction; label: string; variant?: "primary" | "secondary" }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col gap-2">
      <FormMessage message={state?.message} />
      <div>
        <Button type="submit" variant={variant}>
          {label}
        </Button>
      </div>
    </form>
  );
}

/** A step that needs a reason (return to the author, revoke, lift a restriction). */
export function ReasonForm({ action, label, reasonLabel, hint, idSuffix = "" }: { action: FormAction; label: string; reasonLabel: string; hint?: string; idSuffix?: string }) {
  const [state, formAction] = useActionState(action, null);
  const errors = state?.fieldErrors?.reason;
  const id = `reason-${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}${idSuffix ? `-${idSuffix}` : ""}`;
  return (
    <form action={formAction} noValidate className="flex max-w-xl flex-col gap-3">
      <FormMessage message={state?.message} />
      <Field id={id} label={reasonLabel} hint={hint} errors={errors}>
        {(describedBy, invalid) => (
          <textarea id={id} name="reason" rows={2} defaultValue={String(state?.values?.reason ?? "")} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} />
        )}
      </Field>
      <div>
        <SubmitButton>{label}</SubmitButton>
      </div>
    </form>
  );
}
