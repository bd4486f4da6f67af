import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DataTable, pageNumber, pageRows } from "@/components/ui/data-table";
import { FilterInput, FilterSelect } from "@/components/ui/filter-fields";
import { FormMessage } from "@/components/ui/form-message";
import { PageHeader } from "@/components/ui/page-header";
import { formatDateTime } from "@/lib/calendar";
import { formatBytes } from "@/lib/format";
import { requireContext } from "@/lib/identity/request";
import { modalityLabel } from "@/lib/labels";
import { orNotFound, pageQuery } from "@/lib/pages";
import { canAttribute, canSeeUnattributed, listUnattributed, maxUnattributed } from "@/lib/pacs/queries";
import { unattributedFilter, type UnattributedFilter } from "@/lib/pacs/schemas";
import { modalities } from "@/lib/vocabulary";

export const metadata: Metadata = { title: "Unattributed studies" };

const pageSize = 50;

/** The filter as a query string (blank fields left out), for paging links and the CSV download. */
function filterQuery(filter: UnattributedFilter): URLSearchParams {
  return new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""));
}

export default async function UnattributedStudiesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireContext();
  if (!canSeeUnattributed(ctx)) notFound();
  const query = await pageQuery(searchParams);
  const parsed = unattributedFilter.safeParse(query);
  const filter: UnattributedFilter = parsed.success ? parsed.data : {};
  const problem = parsed.success ? undefined : `The filter was not applied: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join(" ")}`;
  const studies = await orNotFound(listUnattributed(ctx, filter));
  const qs = filterQuery(filter);
  const shown = pageRows(studies, pageNumber(query.page), pageSize, "Pages of unattributed studies", (p) => `/studies/unattributed?${new URLSearchParams([...qs, ["page", String(p)]])}`);
  const mayAttribute = canAttribute(ctx);
  const filtered = Boolean(filter.ae || filter.modality || filter.q);
  const attributed = typeof query.attributed === "string" ? query.attributed : null;
  return (
    <>
      <PageHeader
        title="Unattributed studies"
        description={
          <>
            Studies the archive holds that Mosaic could not give to a trust: most often the device that stored them (its calling AE title) is not registered. Register the device at its
            site and the connector records its waiting studies on its next run, or {mayAttribute ? "attribute a study to a site by hand" : "ask a consortium administrator to attribute them"}.
          </>
        }
      />
      <p className="mb-4">
        <Link href="/studies" className="text-brand underline">
          Study look-up
        </Link>
      </p>
      {attributed && (
        <p role="status" className="mb-4 rounded border border-success bg-white p-3">
          The study was attributed to {attributed} and its exam recorded.
        </p>
      )}
      <FormMessage message={problem} />
      <form role="search" aria-label="Filter unattributed studies" className="mb-4 flex flex-wrap items-end gap-4 no-print">
        <FilterInput name="q" label="Study Instance UID or accession number" type="search" value={filter.q} />
        <FilterInput name="ae" label="Calling AE title" value={filter.ae} />
        <FilterSelect name="modality" label="Modality" value={filter.modality} options={modalities.map((m) => ({ value: m, label: `${m} · ${modalityLabel(m)}` }))} />
        <button type="submit" className="rounded bg-brand px-4 py-2 font-semibold text-white">
          Filter
        </button>
        {filtered && (
          <Link href="/studies/unattributed" className="py-2 text-brand underline">
            Clear filters
          </Link>
        )}
      </form>
      <DataTable
        caption={`Unattributed studies, oldest first (${studies.length.toLocaleString("en-GB")}${studies.length === maxUnattributed ? " oldest shown" : ""})`}
        showCaption
        rows={shown.rows}
        rowKey={(s) => `${s.archive}/${s.studyId}`}
        paging={shown.paging}
        csvHref={`/studies/unattributed/export.csv?${qs}`}
        empty={filtered ? "No waiting study matches the filter" : "No study waits for attribution"}
        columns={[
          { header: "Study Instance UID", cell: (s) => s.studyInstanceUid, className: "break-all font-mono" },
          { header: "Accession", cell: (s) => s.accessionNumber ?? "—" },
          { header: "Calling AE title", cell: (s) => (s.callingAeTitle ? <span className="font-mono">{s.callingAeTitle}</span> : "—") },
          { header: "Modality", cell: (s) => s.modality ?? "—" },
          { header: "Study date", cell: (s) => (s.performedAt ? formatDateTime(s.performedAt) : "—") },
          { header: "Instances", cell: (s) => s.instanceCount.toLocaleString("en-GB"), className: "text-right" },
          { header: "Size", cell: (s) => formatBytes(s.sizeBytes), className: "text-right" },
          { header: "Problem", cell: (s) => s.problem ?? "—" },
          { header: "First seen", cell: (s) => formatDateTime(s.firstSeenAt) },
          ...(mayAttribute
            ? [
                {
                  header: "Actions",
                  srOnlyHeader: true,
                  cell: (s: (typeof studies)[number]) => (
                    <Link href={`/studies/unattributed/attribute?${new URLSearchParams({ archive: s.archive, study: s.studyId })}`} className="text-brand underline">
                      Attribute<span className="sr-only"> study {s.accessionNumber ?? s.studyInstanceUid}</span>
                    </Link>
                  ),
                },
              ]
            : []),
        ]}
      />
    </>
  );
}
