"use client";
import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SelectField, SubmitButton, TextField, type FormAction } from "@/components/ui/form-fields";

/** Restricts an NHS number at a source trust. */
export function RestrictionForm({ action, trusts, reasons }: { action: FormAction; trusts: { value: string; label: string }[]; reasons: { value: string; label: string }[] }) {
  const [state, formAction] = useActionState(action, null);
  const defaults = { sourceTrust: trusts[0]?.value ?? "", reason: "safeguarding" };
  return (
    <form action={formAction} key={JSON.stringify(state?.values ?? null)} noValidate className="flex max-w-xl flex-col gap-5">
      <FormMessage message={state?.message} />
      <SelectField name="sourceTrust" label="Trust (whose images are restricted)" options={trusts} state={state} defaults={defaults} />
      <TextField name="nhsNumber" label="NHS number" hint="10 digits, for example 999 000 0018. Checked with modulus 11." state={state} defaults={defaults} />
      <SelectField name="reason" label="Reason" options={reasons} state={state} defaults={defaults} />
      <TextField name="note" label="Note (optional)" hint="A case reference, not clinical detail." state={state} defaults={defaults} />
      <div>
        <SubmitButton>Restrict this patient</SubmitButton>
      </div>
    </form>
  );
}
