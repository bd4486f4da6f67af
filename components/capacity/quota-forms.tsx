"use client";
import { useActionState, useId } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SelectField, SubmitButton, TextField } from "@/components/ui/form-fields";
import { Field, inputClass } from "@/components/ui/field";
import { Button } from "@/components/ui/button";
import type { FormState } from "@/lib/forms";

/** A quota form's state: a failure to show beside the fields, or what was done. */
export type QuotaFormState = (NonNullable<FormState> & { done?: string }) | null;
type QuotaAction = (state: QuotaFormState, form: FormData) => Promise<QuotaFormState>;

function Done({ text }: { text?: string }) {
  if (!text) return null;
  return (
    <p role="status" className="mb-4 border-l-4 border-success bg-white p-3 font-semibold">
      {text}
    </p>
  );
}

/** A PACS manager's request to change a quota, with the reason a CIO will read. */
export function QuotaRequestForm({ action, trusts }: { action: QuotaAction; trusts: readonly { odsCode: string; name: string }[] }) {
  const [state, formAction] = useActionState(action, null);
  const defaults = { trust: trusts[0]?.odsCode ?? "", tier: "online" };
  const reasonErrors = state?.fieldErrors?.reason;
  return (
    <form action={formAction} key={JSON.stringify(state?.values ?? state?.done ?? null)} noValidate className="flex max-w-xl flex-col gap-4">
      <Done text={state?.done} />
      <FormMessage message={state?.message} />
      <SelectField name="trust" label="Trust" options={trusts.map((t) => ({ value: t.odsCode, label: `${t.odsCode} · ${t.name}` }))} state={state} defaults={defaults} />
      <SelectField
        name="tier"
        label="Tier"
        options={[
          { value: "online", label: "Online (fast disk)" },
          { value: "archive", label: "Archive (long-term)" },
        ]}
        state={state}
        defaults={defaults}
      />
      <TextField name="requestedTerabytes" label="New quota in terabytes" hint="The whole quota you need, not the increase. For example 450." state={state} defaults={defaults} />
      <Field id="field-reason" label="Reason" hint="Why the trust needs it: new equipment, a service moving in, growth." errors={reasonErrors}>
        {(describedBy, invalid) => (
          <textarea
            id="field-reason"
            name="reason"
            rows={4}
            defaultValue={(state?.values?.reason as string) ?? ""}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            className={inputClass}
          />
        )}
      </Field>
      <div>
        <SubmitButton>Send request</SubmitButton>
      </div>
    </form>
  );
}

/** A CIO's approve or decline of one pending request, with an optional note. */
export function QuotaDecisionForm({ action, requestId, label }: { action: QuotaAction; requestId: string; label: string }) {
  const [state, formAction] = useActionState(action, null);
  const noteId = useId();
  if (state?.done) return <Done text={state.done} />;
  return (
    <form action={formAction} className="flex flex-col gap-2">
      <FormMessage message={state?.message} />
      <input type="hidden" name="requestId" value={requestId} />
      <label htmlFor={noteId} className="text-sm font-semibold">
        Note on the decision <span className="font-normal">(optional)</span>
      </label>
      <input id={noteId} name="note" className={inputClass} />
      <div className="flex gap-2">
        <Button type="submit" name="decision" value="approve" aria-label={`Approve ${label}`}>
          Approve
        </Button>
        <Button type="submit" name="decision" value="decline" variant="secondary" aria-label={`Decline ${label}`}>
          Decline
        </Button>
      </div>
    </form>
  );
}
