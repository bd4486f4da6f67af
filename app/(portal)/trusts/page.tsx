import { pageQuery } from "@/lib/pages";
import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { ButtonLink, DownloadLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/auth/context";
import { requireContext } from "@/lib/identity/request";
import { filterTrusts, trustFilter } from "@/lib/trusts/filter";
import { listTrusts } from "@/lib/trusts/queries";
import { FilterInput, FilterSelect } from "@/components/ui/filter-fields";
import { trustStatusLabel, trustStatusLabels } from "@/lib/labels";

export const metadata: Metadata = { title: "Trusts" };

const statusTone = { active: "success", onboarding: "warning", offboarded: "neutral" } as const;

export default async function TrustsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireContext();
  const filter = trustFilter.parse(await pageQuery(searchParams));
  const all = await listTrusts(ctx);
  const shown = filterTrusts(all, filter);
  const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => Boolean(e[1])));
  return (
    <>
      <PageHeader
        title="Trusts"
        description="The consortium's member trusts, their hospitals and imaging departments."
        actions={
          <>
            <DownloadLink href={`/trusts/export.csv?${query}`}>
              Download CSV
            </DownloadLink>
            {can(ctx, "trusts.create", null) && <ButtonLink href="/trusts/new">Onboard a trust</ButtonLink>}
          </>
        }
      />
      <form role="search" aria-label="Filter trusts" className="mb-4 flex flex-wrap items-end gap-4 no-print">
        <FilterInput name="q" label="Name or ODS code" value={filter.q} />
        <FilterSelect
          name="status"
          label="Status"
          value={filter.status}
          options={Object.entries(trustStatusLabels).map(([value, label]) => ({ value, label }))}
        />
        <button type="submit" className="rounded bg-brand px-4 py-2 font-semibold text-white">
          Filter
        </button>
      </form>
      {shown.length === 0 ? (
        <EmptyState title={all.length === 0 ? "No trusts yet" : "No trust matches these filters"}>
          {all.length === 0 ? "A consortium administrator onboards trusts." : <Link href="/trusts" className="text-brand underline">Clear the filters</Link>}
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded border border-line bg-white">
          <table className="w-full text-left">
            <caption className="sr-only">
              Trusts ({shown.length} of {all.length})
            </caption>
            <thead className="border-b border-line bg-canvas">
              <tr>
                <th scope="col" className="px-4 py-2">ODS code</th>
                <th scope="col" className="px-4 py-2">Trust</th>
                <th scope="col" className="px-4 py-2">Status</th>
                <th scope="col" className="px-4 py-2 text-right">Sites</th>
                <th scope="col" className="px-4 py-2 text-right">Departments</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((t) => (
                <tr key={t.id} className="border-b border-line last:border-0">
                  <td className="px-4 py-2 font-mono">{t.odsCode}</td>
                  <td className="px-4 py-2">
                    <Link href={`/trusts/${t.odsCode}`} className="text-brand underline underline-offset-4">
                      {t.name}
                    </Link>
                  </td>
                  <td className="px-4 py-2">
                    <Badge tone={statusTone[t.status as keyof typeof statusTone] ?? "neutral"}>{trustStatusLabel(t.status)}</Badge>
                  </td>
                  <td className="px-4 py-2 text-right">{t.siteCount}</td>
                  <td className="px-4 py-2 text-right">{t.departmentCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="mt-2 text-sm text-muted">
        Showing {shown.length} of {all.length} {all.length === 1 ? "trust" : "trusts"}.
      </p>
    </>
  );
}
