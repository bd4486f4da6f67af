"use client";
import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { modalityLabels } from "@/lib/labels";
import { SelectField, SubmitButton, TextField, type FormAction } from "@/components/ui/form-fields";

const statusOptions = [
  { value: "active", label: "Active" },
  { value: "closed", label: "Closed" },
];

/** Adds or edits an imaging department: its site, name and the modalities it runs. */
export function DepartmentForm({
  action,
  defaults,
  sites,
  isNew,
}: {
  action: FormAction;
  defaults: Record<string, unknown>;
  sites: { id: string; name: string; code: string }[];
  isNew: boolean;
}) {
  const [state, formAction] = useActionState(action, null);
  const chosen = new Set((state?.values?.modalities ?? defaults.modalities ?? []) as string[]);
  const modalityErrors = state?.fieldErrors?.modalities ?? Object.entries(state?.fieldErrors ?? {}).find(([k]) => k.startsWith("modalities."))?.[1];
  return (
    <form action={formAction} key={JSON.stringify(state?.values ?? null)} noValidate className="flex max-w-xl flex-col gap-5">
      <FormMessage message={state?.message} />
      <SelectField
        name="siteId"
        label="Site"
        options={[{ value: "", label: "Choose a site" }, ...sites.map((s) => ({ value: s.id, label: `${s.name} (${s.code})` }))]}
        state={state}
        defaults={defaults}
      />
      <TextField name="name" label="Department name" hint="For example Main X-ray and CT." state={state} defaults={defaults} />
      <fieldset
        className={`flex flex-col gap-2 ${modalityErrors ? "border-l-4 border-danger pl-3" : ""}`}
        aria-describedby={modalityErrors ? "modalities-error" : undefined}
      >
        <legend className="font-semibold">Modalities</legend>
        {modalityErrors && (
          <p id="modalities-error" className="text-sm font-semibold text-danger">
            <span className="sr-only">Error: </span>
            {modalityErrors.join(" ")}
          </p>
        )}
        <div className="grid grid-cols-2 gap-2 sm:grid-cols-3">
          {Object.entries(modalityLabels).map(([code, label]) => (
            <label key={code} className="flex items-center gap-2">
              <input type="checkbox" name="modalities[]" value={code} defaultChecked={chosen.has(code)} className="h-5 w-5" />
              <span>
                {code} <span className="text-muted">· {label}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <SelectField name="status" label="Status" options={statusOptions} state={state} defaults={defaults} />
      <div>
        <SubmitButton>{isNew ? "Add department" : "Save department"}</SubmitButton>
      </div>
    </form>
  );
}
