"use client";
import Link from "next/link";
import { useActionState, useState } from "react";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SelectField, SubmitButton, TextField } from "@/components/ui/form-fields";
import type { FormState } from "@/lib/forms";
import { SetPasswordLink } from "./set-password-link";
import type { GrantOptionView } from "./grant-role-form";

type LinkState = (NonNullable<FormState> & { link?: { userId: string; token: string; expiresAt: string } }) | null;

/** Adds a person (with an optional first role at their home trust), or edits one. */
export function UserForm({
  action,
  defaults,
  homeTrusts,
  allowNoHomeTrust,
  grantOptions,
  isNew,
  today,
}: {
  action: (state: LinkState, form: FormData) => Promise<LinkState>;
  defaults: Record<string, unknown>;
  homeTrusts: { id: string; label: string }[];
  allowNoHomeTrust: boolean;
  grantOptions?: GrantOptionView[];
  isNew: boolean;
  today: string;
}) {
  const [state, formAction] = useActionState(action, null);
  const values = state?.values ?? {};
  const [home, setHome] = useState(String(values.homeTrustId ?? defaults.homeTrustId ?? homeTrusts[0]?.id ?? ""));
  const scope = grantOptions?.find((o) => (o.trustId ?? "") === home);
  if (state?.link) {
    return (
      <div className="flex max-w-xl flex-col gap-4">
        <p role="status" className="border-l-4 border-success bg-white p-3 font-semibold">
          Person added.
        </p>
        <SetPasswordLink token={state.link.token} expiresAt={state.link.expiresAt} />
        <p>
          <Link href={`/users/${state.link.userId}`} className="text-brand underline">
            Go to their page
          </Link>{" "}
          to grant more roles.
        </p>
      </div>
    );
  }
  const homeOptions = [...(allowNoHomeTrust ? [{ value: "", label: "None (consortium staff)" }] : []), ...homeTrusts.map((t) => ({ value: t.id, label: t.label }))];
  return (
    <form action={formAction} key={JSON.stringify(values)} noValidate className="flex max-w-xl flex-col gap-5">
      <FormMessage message={state?.message} />
      <TextField name="name" label="Full name" state={state} defaults={defaults} autoComplete="off" />
      <TextField name="email" label="Email address" hint="Their NHS email, for example name.surname@nhs.net." state={state} defaults={defaults} autoComplete="off" />
      {isNew ? (
        <Field id="field-homeTrustId" label="Home trust" hint="The employing trust, whose PACS manager looks after the account." errors={state?.fieldErrors?.homeTrustId}>
          {(describedBy, invalid) => (
            <select id="field-homeTrustId" name="homeTrustId" value={home} onChange={(e) => setHome(e.target.value)} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass}>
              {homeOptions.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : (
        <SelectField name="homeTrustId" label="Home trust" options={homeOptions} state={state} defaults={defaults} />
      )}
      {isNew && scope && (
        <fieldset className="flex flex-col gap-5 rounded border border-line p-4">
          <legend className="px-1 font-semibold">First role at the home trust (optional)</legend>
          <SelectField name="role" label="Role" options={[{ value: "", label: "No role yet" }, ...scope.roles.map((r) => ({ value: r.value, label: r.label }))]} state={state} defaults={{}} />
          {scope.departments.length > 0 && (
            <SelectField name="departmentId" label="Department (optional)" options={[{ value: "", label: "None" }, ...scope.departments.map((d) => ({ value: d.id, label: d.name }))]} state={state} defaults={{}} />
          )}
          <Field id="field-validFrom" label="First day" errors={state?.fieldErrors?.validFrom}>
            {(describedBy, invalid) => (
              <input id="field-validFrom" name="validFrom" type="date" defaultValue={String(values.validFrom ?? today)} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} />
            )}
          </Field>
          <Field id="field-validUntil" label="Last day (optional)" errors={state?.fieldErrors?.validUntil}>
            {(describedBy, invalid) => (
              <input id="field-validUntil" name="validUntil" type="date" defaultValue={String(values.validUntil ?? "")} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} />
            )}
          </Field>
        </fieldset>
      )}
      <div>
        <SubmitButton>{isNew ? "Add person" : "Save"}</SubmitButton>
      </div>
    </form>
  );
}
