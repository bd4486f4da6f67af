import { Field, inputClass } from "@/components/ui/field";
import { outcomes } from "@/lib/audit/schemas";
import { actionLabel, outcomeLabel, purposeLabel } from "@/lib/labels";
import { searchActions } from "@/lib/audit/search-filter";
import { modalities, purposes } from "@/lib/vocabulary";

type Values = Record<string, string | undefined>;

/** The audit search form: a GET form, so every search is a link that can be shared or bookmarked. */
export function AuditFilters({ values, errors, trusts }: { values: Values; errors: Record<string, string[]>; trusts: { odsCode: string; name: string }[] }) {
  const text = (name: string, label: string, hint?: string, type = "text") => (
    <Field id={`f-${name}`} label={label} hint={hint} errors={errors[name]}>
      {(describedBy, invalid) => (
        <input id={`f-${name}`} name={name} type={type} defaultValue={values[name] ?? ""} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} />
      )}
    </Field>
  );
  const select = (name: string, label: string, options: readonly { value: string; label: string }[]) => (
    <Field id={`f-${name}`} label={label} errors={errors[name]}>
      {(describedBy, invalid) => (
        <select id={`f-${name}`} name={name} defaultValue={values[name] ?? ""} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass}>
          <option value="">Any</option>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  const trustOptions = trusts.map((t) => ({ value: t.odsCode, label: `${t.odsCode} · ${t.name}` }));
  return (
    <form role="search" aria-label="Search the audit trail" method="get" className="mb-6 rounded border border-line bg-white p-4 no-print">
      <div className="grid gap-4 md:grid-cols-3">
        {text("patient", "Patient NHS number", "10 digits, for example 999 000 0018")}
        {text("user", "User email")}
        {text("study", "Study Instance UID", "Numbers and dots, for example 1.2.826.0.1.3680043.2.1")}
        {text("accession", "Accession number", "As the PACS shows it")}
        {select("trust", "Images of trust", trustOptions)}
        {select("actorTrust", "Staff of trust", trustOptions)}
        {select("action", "Action", searchActions.map((a) => ({ value: a, label: actionLabel(a) })))}
        {select("outcome", "Outcome", outcomes.map((o) => ({ value: o, label: outcomeLabel(o) })))}
        {select("purpose", "Purpose", purposes.map((p) => ({ value: p, label: purposeLabel(p) })))}
        {select("modality", "Modality", modalities.map((m) => ({ value: m, label: m })))}
        {text("from", "From (date, UTC)", undefined, "date")}
        {text("to", "To (date, UTC)", undefined, "date")}
      </div>
      <div className="mt-4 flex flex-wrap items-center gap-4">
        <label className="flex items-center gap-2">
          <input type="checkbox" name="breakGlass" value="yes" defaultChecked={values.breakGlass === "yes"} className="h-5 w-5" />
          Break-glass only
        </label>
        <button type="submit" className="rounded bg-brand px-4 py-2 font-semibold text-white">
          Search
        </button>
        <a href="/audit" className="text-brand underline">
          Clear
        </a>
      </div>
    </form>
  );
}
