"use client";
import { useActionState, useState } from "react";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton, TextField, type FormAction } from "@/components/ui/form-fields";

export type GrantOptionView = {
  trustId: string | null;
  label: string;
  roles: { value: string; label: string; jobRoleCode: string | null }[];
  departments: { id: string; name: string }[];
};

/**
 * Grants a role with a validity window: to the person whose page this is (userId), or to someone
 * named by exact email (a rotation from another trust). The role and department choices follow
 * the chosen trust; the server checks every rule again.
 */
export function GrantRoleForm({ action, options, userId, today }: { action: FormAction; options: GrantOptionView[]; userId?: string; today: string }) {
  const [state, formAction] = useActionState(action, null);
  const values = state?.values ?? {};
  const [scope, setScope] = useState<string>(String(values.trustId ?? options[0]?.trustId ?? ""));
  const chosen = options.find((o) => (o.trustId ?? "") === scope) ?? options[0];
  const [role, setRole] = useState<string>(String(values.role ?? chosen?.roles[0]?.value ?? ""));
  const roleOption = chosen?.roles.find((r) => r.value === role);
  const err = (name: string) => state?.fieldErrors?.[name];
  return (
    <form action={formAction} noValidate className="flex max-w-xl flex-col gap-5" key={JSON.stringify(values)}>
      <FormMessage message={state?.message} />
      {userId ? (
        <input type="hidden" name="userId" value={userId} />
      ) : (
        <TextField name="email" label="The person's email address" hint="Their exact email: the account is found in any trust of the consortium." state={state} defaults={{}} autoComplete="off" />
      )}
      <Field id="grant-trust" label="Where" errors={err("trustId")}>
        {(describedBy, invalid) => (
          <select
            id="grant-trust"
            name="trustId"
            value={scope}
            onChange={(e) => {
              setScope(e.target.value);
              const next = options.find((o) => (o.trustId ?? "") === e.target.value);
              setRole(next?.roles[0]?.value ?? "");
            }}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            className={inputClass}
          >
            {options.map((o) => (
              <option key={o.trustId ?? "consortium"} value={o.trustId ?? ""}>
                {o.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="grant-role" label="Role" errors={err("role")}>
        {(describedBy, invalid) => (
          <select id="grant-role" name="role" value={role} onChange={(e) => setRole(e.target.value)} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass}>
            {chosen?.roles.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {chosen && chosen.departments.length > 0 && (
        <Field id="grant-department" label="Department (optional)" errors={err("departmentId")}>
          {(describedBy, invalid) => (
            <select id="grant-department" name="departmentId" defaultValue={String(values.departmentId ?? "")} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass}>
              <option value="">None</option>
              {chosen.departments.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {roleOption?.jobRoleCode && (
        <TextField
          name="jobRoleCode"
          label="National job-role code (optional)"
          hint={`NHS RBAC code matched at a CIS2 sign-in. Leave empty for ${roleOption.jobRoleCode}.`}
          state={state}
          defaults={{}}
        />
      )}
      <Field id="grant-from" label="First day" errors={err("validFrom")}>
        {(describedBy, invalid) => (
          <input id="grant-from" name="validFrom" type="date" defaultValue={String(values.validFrom ?? today)} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} />
        )}
      </Field>
      <Field id="grant-until" label="Last day (optional)" hint="For a rotation or a fixed-term post. Empty: until someone ends it." errors={err("validUntil")}>
        {(describedBy, invalid) => (
          <input id="grant-until" name="validUntil" type="date" defaultValue={String(values.validUntil ?? "")} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} />
        )}
      </Field>
      <div>
        <SubmitButton>Grant role</SubmitButton>
      </div>
    </form>
  );
}
