"use client";
import { useActionState } from "react";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton, type FormAction } from "@/components/ui/form-fields";

type SiteChoice = { id: string; code: string; name: string; odsCode: string; trustName: string };

/** Gives a waiting study to a site (and so to the site's trust): the sites grouped by trust. */
export function AttributeForm({ action, archive, studyId, sites }: { action: FormAction; archive: string; studyId: string; sites: readonly SiteChoice[] }) {
  const [state, formAction] = useActionState(action, null);
  const errors = state?.fieldErrors?.siteId;
  const otherErrors = Object.entries(state?.fieldErrors ?? {}).filter(([k]) => k !== "siteId").flatMap(([k, v]) => v.map((m) => `${k}: ${m}`));
  const trusts = [...new Map(sites.map((s) => [s.odsCode, s.trustName])).entries()];
  return (
    <form action={formAction} noValidate className="mt-3 flex max-w-xl flex-col gap-3">
      <FormMessage message={errors && otherErrors.length === 0 ? undefined : [state?.message, ...otherErrors].filter(Boolean).join(" ") || undefined} />
      <input type="hidden" name="archive" value={archive} />
      <input type="hidden" name="studyId" value={studyId} />
      <Field id="attribute-site" label="Site that made the study" hint="The study is recorded as an exam of this site's trust, which becomes its data controller." errors={errors}>
        {(describedBy, invalid) => (
          <select id="attribute-site" name="siteId" defaultValue={String(state?.values?.siteId ?? "")} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass}>
            <option value="">Choose a site</option>
            {trusts.map(([ods, name]) => (
              <optgroup key={ods} label={`${ods} ${name}`}>
                {sites
                  .filter((s) => s.odsCode === ods)
                  .map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.code} {s.name}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        )}
      </Field>
      <div>
        <SubmitButton pendingLabel="Recording…">Attribute and record</SubmitButton>
      </div>
    </form>
  );
}
