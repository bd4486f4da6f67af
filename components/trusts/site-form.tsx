"use client";
import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SelectField, SubmitButton, TextField, type FormAction } from "@/components/ui/form-fields";

const statusOptions = [
  { value: "active", label: "Active" },
  { value: "closed", label: "Closed" },
];

/** Adds or edits a site (hospital) of a trust. */
export function SiteForm({ action, defaults, isNew }: { action: FormAction; defaults: Record<string, unknown>; isNew: boolean }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} key={JSON.stringify(state?.values ?? null)} noValidate className="flex max-w-xl flex-col gap-5">
      <FormMessage message={state?.message} />
      <TextField name="code" label="Site code" hint="The ODS site code: 5 letters and digits, for example RN541." state={state} defaults={defaults} />
      <TextField name="name" label="Site name" hint="For example Royal Hampshire County Hospital." state={state} defaults={defaults} />
      <TextField name="town" label="Town" state={state} defaults={defaults} />
      <TextField name="postcode" label="Postcode" state={state} defaults={defaults} autoComplete="postal-code" />
      <SelectField name="status" label="Status" options={statusOptions} state={state} defaults={defaults} />
      <div>
        <SubmitButton>{isNew ? "Add site" : "Save site"}</SubmitButton>
      </div>
    </form>
  );
}
