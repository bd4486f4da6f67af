"use client";
import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SelectField, SubmitButton, TextField, type FormAction } from "@/components/ui/form-fields";

const statusOptions = [
  { value: "onboarding", label: "Onboarding" },
  { value: "active", label: "Active" },
  { value: "offboarded", label: "Offboarded" },
];

/** Onboards a trust, or (without the ODS code, which never changes) edits one. */
export function TrustForm({ action, defaults, isNew }: { action: FormAction; defaults: Record<string, unknown>; isNew: boolean }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} key={JSON.stringify(state?.values ?? null)} noValidate className="flex max-w-xl flex-col gap-5">
      <FormMessage message={state?.message} />
      {isNew && <TextField name="odsCode" label="ODS code" hint="3 to 5 letters and digits, for example RN5." state={state} defaults={defaults} />}
      <TextField name="name" label="Trust name" hint="As NHS ODS lists it, for example Hampshire Hospitals NHS Foundation Trust." state={state} defaults={defaults} />
      <SelectField name="status" label="Status" options={statusOptions} state={state} defaults={defaults} />
      <div>
        <SubmitButton>{isNew ? "Onboard trust" : "Save trust"}</SubmitButton>
      </div>
    </form>
  );
}
