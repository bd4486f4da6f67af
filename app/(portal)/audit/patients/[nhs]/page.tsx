import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { Loading } from "@/components/ui/loading";
import type { Ctx } from "@/lib/auth/context";
import { notFound } from "next/navigation";
import { AuditTable } from "@/components/audit/audit-table";
import { DownloadLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { PrintButton } from "@/components/ui/print-button";
import { requireContext } from "@/lib/identity/request";
import { auditScope, searchAuditEvents } from "@/lib/audit/search";
import { auditFilter, filterQuery, type AuditFilter } from "@/lib/audit/search-filter";
import { formatDateTime } from "@/lib/calendar";
import { plural } from "@/lib/format";
import { formatNhsNumber } from "@/lib/nhs-number";
import { orNotFound } from "@/lib/pages";

export const metadata: Metadata = { title: "Patient access report" };

// A page of the report at a time (the CSV has every access): what a person reads, not the whole record.
const reportSize = 100;

type Props = { params: Promise<{ nhs: string }>; searchParams: Promise<Record<string, string | undefined>> };

/** Every access to one patient's imaging in the period: the answer to a subject access request. */
export default async function PatientReportPage({ params, searchParams }: Props) {
  const ctx = await requireContext();
  const { nhs } = await params;
  const search = await searchParams;
  // Accesses only: access decisions (checks before an access) and officers' look-ups are not accesses.
  const parsed = auditFilter.safeParse({ patient: nhs, kind: "access", from: search.from, to: search.to, cursor: search.cursor });
  if (!parsed.success) notFound();
  const filter = parsed.data;
  // "Not found" (no right to search the trail) is decided before the page starts streaming.
  await orNotFound(Promise.resolve().then(() => auditScope(ctx)));
  const period = filter.from || filter.to ? `${filter.from ?? "the start of the record"} to ${filter.to ?? "today"}` : "the whole record";
  const nhsSpaced = formatNhsNumber(filter.patient!);
  return (
    <>
      <PageHeader
        title={`Access report for NHS number ${nhsSpaced}`}
        description={`Every recorded access to this patient's imaging that you may see, for ${period}. Prepared ${formatDateTime(new Date())} by ${ctx.name}.`}
        actions={
          <>
            <PrintButton label="Print report" />
            <DownloadLink href={`/audit/export.csv?${filterQuery(filter)}`}>
              Download CSV
            </DownloadLink>
          </>
        }
      />
      <form method="get" className="mb-4 flex flex-wrap items-end gap-4 no-print" aria-label="Report period">
        <div className="flex flex-col gap-1">
          <label htmlFor="from" className="font-semibold">From</label>
          <input id="from" name="from" type="date" defaultValue={filter.from ?? ""} className="rounded border-2 border-ink px-3 py-2" />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="to" className="font-semibold">To</label>
          <input id="to" name="to" type="date" defaultValue={filter.to ?? ""} className="rounded border-2 border-ink px-3 py-2" />
        </div>
        <button type="submit" className="rounded bg-brand px-4 py-2 font-semibold text-white">Change period</button>
      </form>
      <Suspense key={`${filterQuery(filter)}/${filter.cursor ?? ""}`} fallback={<Loading label="Finding accesses…" />}>
        <PatientAccesses ctx={ctx} filter={filter} nhsSpaced={nhsSpaced} />
      </Suspense>
    </>
  );
}

/** The accesses of the period, a page at a time, streamed after the page's header and form. */
async function PatientAccesses({ ctx, filter, nhsSpaced }: { ctx: Ctx; filter: AuditFilter; nhsSpaced: string }) {
  const result = await searchAuditEvents(ctx, filter, reportSize);
  const byTrust = new Map<string, number>();
  for (const r of result.rows) byTrust.set(r.actorTrust ?? "unknown", (byTrust.get(r.actorTrust ?? "unknown") ?? 0) + 1);
  return (
    result.rows.length === 0 ? (
      <EmptyState title="No recorded access">No access to this patient&apos;s imaging is recorded for this period in the trusts you can see.</EmptyState>
    ) : (
      <>
        <p className="mb-3">
          {result.nextCursor ? `More than ${plural(result.rows.length, "access", "accesses")}` : plural(result.rows.length, "access", "accesses")}, by staff of{" "}
          {[...byTrust].map(([t, n]) => `${t} (${n})`).join(", ")}.
        </p>
        <AuditTable rows={result.rows} caption={`Accesses to the imaging of NHS number ${nhsSpaced}`} />
        {result.nextCursor && (
          <p className="mt-4 no-print">
            More than {reportSize} accesses:{" "}
            <Link className="text-brand underline" href={`/audit/patients/${filter.patient}?${filterQuery(filter, { cursor: result.nextCursor })}`}>
              next {reportSize}
            </Link>{" "}
            or download the CSV for all of them.
          </p>
        )}
      </>
    )
  );
}
