"use client";
import { useFormStatus } from "react-dom";
import { Button } from "@/components/ui/button";
import { Field, inputClass } from "@/components/ui/field";
import type { FormState } from "@/lib/forms";

export type FormAction = (state: FormState, form: FormData) => Promise<FormState>;

export function SubmitButton({ children, variant, pendingLabel = "Saving…" }: { children: React.ReactNode; variant?: "primary" | "secondary"; pendingLabel?: string }) {
  const { pending } = useFormStatus();
  return (
    <Button type="submit" variant={variant} disabled={pending} aria-disabled={pending}>
      {pending ? pendingLabel : children}
    </Button>
  );
}

/** A text input whose value and error come from the form state. */
export function TextField({
  name,
  label,
  hint,
  state,
  defaults,
  autoComplete = "off",
}: {
  name: string;
  label: string;
  hint?: string;
  state: FormState;
  defaults: Record<string, unknown>;
  autoComplete?: string;
}) {
  const id = `field-${name}`;
  const errors = state?.fieldErrors?.[name];
  const value = (state?.values?.[name] ?? defaults[name] ?? "") as string;
  return (
    <Field id={id} label={label} hint={hint} errors={errors}>
      {(describedBy, invalid) => (
        <input
          id={id}
          name={name}
          defaultValue={value}
          autoComplete={autoComplete}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          className={inputClass}
        />
      )}
    </Field>
  );
}

/** A select whose value and error come from the form state. */
export function SelectField({
  name,
  label,
  options,
  state,
  defaults,
}: {
  name: string;
  label: string;
  options: readonly { value: string; label: string }[];
  state: FormState;
  defaults: Record<string, unknown>;
}) {
  const id = `field-${name}`;
  const errors = state?.fieldErrors?.[name];
  const value = (state?.values?.[name] ?? defaults[name] ?? "") as string;
  return (
    <Field id={id} label={label} errors={errors}>
      {(describedBy, invalid) => (
        <select id={id} name={name} defaultValue={value} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
