import type { Metadata } from "next";
import Link from "next/link";
import { statusTone, windowText } from "@/components/sharing/labels";
import { SharingTabs } from "@/components/sharing/sharing-tabs";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { canAnywhere } from "@/lib/auth/context";
import { requireContext } from "@/lib/identity/request";
import { orNotFound, pageQuery } from "@/lib/pages";
import { filterPolicies, policyFilter } from "@/lib/sharing/filter";
import { listPolicies, windowState } from "@/lib/sharing/queries";
import { versionStatusLabel } from "@/lib/labels";
import { versionStatusLabels } from "@/lib/vocabulary";
import { FilterInput, FilterSelect } from "@/components/ui/filter-fields";

export const metadata: Metadata = { title: "Sharing policies" };

const saved: Record<string, string> = { draft: "The draft was saved." };

export default async function SharingPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireContext();
  const params = await pageQuery(searchParams);
  const filter = policyFilter.parse(params);
  const all = await orNotFound(listPolicies(ctx));
  const shown = filterPolicies(all, filter);
  const now = new Date();
  const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => Boolean(e[1])));
  const sources = [...new Set(all.map((p) => p.sourceTrust.odsCode))].sort();
  return (
    <>
      <PageHeader
        title="Sharing"
        description="Cross-trust sharing policies: which staff of which trusts may view whose imaging, and why."
        actions={
          canAnywhere(ctx, "sharing.write") && <ButtonLink href="/sharing/policies/new">New policy</ButtonLink>
        }
      />
      <SharingTabs current="/sharing" />
      {typeof params.saved === "string" && saved[params.saved] && (
        <p role="status" className="mb-4 border-l-4 border-success bg-white p-3">
          {saved[params.saved]}
        </p>
      )}
      <form role="search" aria-label="Filter policies" className="mb-4 flex flex-wrap items-end gap-4 no-print">
        <FilterInput name="q" label="Name" value={filter.q} />
        <FilterSelect name="source" label="Source trust" value={filter.source} options={sources.map((src) => ({ value: src, label: src }))} />
        <FilterInput name="target" label="Shares with (ODS code)" value={filter.target} />
        <FilterSelect name="status" label="Status" value={filter.status} options={Object.entries(versionStatusLabels).map(([value, label]) => ({ value, label }))} />
        <button type="submit" className="rounded bg-brand px-4 py-2 font-semibold text-white">
          Filter
        </button>
      </form>
      <DataTable
        caption={`Sharing policies (${shown.length} of ${all.length})`}
        rows={shown}
        rowKey={(p) => p.id}
        csvHref={`/sharing/export.csv?${query}`}
        empty={
          <EmptyState title={all.length === 0 ? "No sharing policies yet" : "No policy matches these filters"}>
            {all.length === 0 ? "An IG officer of a trust drafts its policies." : <Link href="/sharing" className="text-brand underline">Clear the filters</Link>}
          </EmptyState>
        }
        columns={[
          {
            header: "Policy",
            rowHeader: true,
            cell: (p) => (
              <Link href={`/sharing/policies/${p.id}`} className="text-brand underline underline-offset-4">
                {p.name}
              </Link>
            ),
          },
          { header: "Source trust", className: "font-mono", cell: (p) => p.sourceTrust.odsCode },
          {
            header: "Current version",
            cell: (p) => {
              if (!p.current) return <span className="text-muted">None approved yet</span>;
              const state = p.current.status === "active" ? windowState(p.current, now) : null;
              return (
                <span className="flex flex-wrap items-center gap-2">
                  v{p.current.version} <Badge tone={statusTone[p.current.status]}>{versionStatusLabel(p.current.status)}</Badge>
                  {state === "expired" && <Badge tone="danger">Expired</Badge>}
                  {state === "future" && <Badge tone="warning">Not yet in effect</Badge>}
                </span>
              );
            },
          },
          { header: "Shares with", className: "font-mono", cell: (p) => p.current?.targets.join(", ") || "—" },
          { header: "Window", cell: (p) => (p.current ? windowText(p.current.effectiveFrom, p.current.effectiveUntil) : "—") },
          {
            header: "In progress",
            cell: (p) =>
              p.open ? (
                <span className="flex items-center gap-2">
                  v{p.open.version} <Badge tone={statusTone[p.open.status]}>{versionStatusLabel(p.open.status)}</Badge>
                </span>
              ) : (
                "—"
              ),
          },
        ]}
      />
      <p className="mt-2 text-sm text-muted">
        Showing {shown.length} of {all.length} {all.length === 1 ? "policy" : "policies"}.
      </p>
    </>
  );
}
