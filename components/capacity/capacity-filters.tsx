import Link from "next/link";
import { inputClass } from "@/components/ui/field";
import type { CapacityFilter } from "@/lib/capacity/filter";
import { modalities } from "@/lib/vocabulary";

// As wide as its longest choice, but never wider than the form: a select of trust names ("RHU ·
// Portsmouth Hospitals University NHS Trust") made the storage page scroll sideways at 390 px.
const compact = inputClass.replace("w-full max-w-md", "w-auto max-w-full");

/**
 * The capacity pages' filters: a plain GET form, so the whole view lives in the address and a
 * shared link shows a colleague the same figures.
 */
export function CapacityFilters({
  path,
  filter,
  trustOptions,
  siteOptions,
  showModality = true,
}: {
  path: string;
  filter: CapacityFilter;
  trustOptions: readonly { odsCode: string; name: string }[];
  siteOptions?: readonly { code: string; name: string }[];
  showModality?: boolean;
}) {
  return (
    <form role="search" aria-label="Filter the figures" action={path} className="mb-6 flex flex-wrap items-end gap-4 rounded border border-line bg-white p-4 no-print">
      <div className="flex max-w-full flex-col gap-1">
        <label htmlFor="from" className="font-semibold">
          From
        </label>
        <input id="from" name="from" type="date" defaultValue={filter.from} className={compact} />
      </div>
      <div className="flex max-w-full flex-col gap-1">
        <label htmlFor="to" className="font-semibold">
          To
        </label>
        <input id="to" name="to" type="date" defaultValue={filter.to} className={compact} />
      </div>
      <div className="flex max-w-full flex-col gap-1">
        <label htmlFor="trust" className="font-semibold">
          Trust
        </label>
        <select id="trust" name="trust" defaultValue={filter.trust ?? ""} className={compact}>
          <option value="">{trustOptions.length > 1 ? "All trusts" : "Your trust"}</option>
          {trustOptions.map((t) => (
            <option key={t.odsCode} value={t.odsCode}>
              {t.odsCode} · {t.name}
            </option>
          ))}
        </select>
      </div>
      {siteOptions && (
        <div className="flex max-w-full flex-col gap-1">
          <label htmlFor="site" className="font-semibold">
            Site
          </label>
          <select id="site" name="site" defaultValue={filter.site ?? ""} className={compact}>
            <option value="">All sites</option>
            {siteOptions.map((s) => (
              <option key={s.code} value={s.code}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {showModality && (
        <div className="flex max-w-full flex-col gap-1">
          <label htmlFor="modality" className="font-semibold">
            Modality
          </label>
          <select id="modality" name="modality" defaultValue={filter.modality ?? ""} className={compact}>
            <option value="">All modalities</option>
            {modalities.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
      )}
      <button type="submit" className="rounded bg-brand px-4 py-2 font-semibold text-white">
        Show figures
      </button>
      <Link href={path} className="py-2 text-brand underline underline-offset-4">
        Reset
      </Link>
    </form>
  );
}
