import { pageQuery } from "@/lib/pages";
import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
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
          can(ctx, "trusts.create", null) && <ButtonLink href="/trusts/new">Onboard a trust</ButtonLink>
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
      <DataTable
          caption={`Trusts (${shown.length} of ${all.length})`}
          rows={shown}
          rowKey={(t) => t.id}
          csvHref={`/trusts/export.csv?${query}`}
          empty={
            <EmptyState title={all.length === 0 ? "No trusts yet" : "No trust matches these filters"}>
              {all.length === 0 ? "A consortium administrator onboards trusts." : <Link href="/trusts" className="text-brand underline">Clear the filters</Link>}
            </EmptyState>
          }
          columns={[
            { header: "ODS code", className: "font-mono", cell: (t) => t.odsCode },
            {
              header: "Trust",
              cell: (t) => (
                <Link href={`/trusts/${t.odsCode}`} className="text-brand underline underline-offset-4">
                  {t.name}
                </Link>
              ),
            },
            { header: "Status", cell: (t) => <Badge tone={statusTone[t.status as keyof typeof statusTone] ?? "neutral"}>{trustStatusLabel(t.status)}</Badge> },
            { header: "Sites", numeric: true, cell: (t) => t.siteCount },
            { header: "Departments", numeric: true, cell: (t) => t.departmentCount },
          ]}
        />
      <p className="mt-2 text-sm text-muted">
        Showing {shown.length} of {all.length} {all.length === 1 ? "trust" : "trusts"}.
      </p>
    </>
  );
}
