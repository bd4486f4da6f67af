import { auditSectionsFor } from "@/lib/nav";
import type { Metadata } from "next";
import Link from "next/link";
import { AuditFilters } from "@/components/audit/audit-filters";
import { AuditSubnav } from "@/components/audit/audit-subnav";
import { AuditTable } from "@/components/audit/audit-table";
import { DownloadLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireContext } from "@/lib/identity/request";
import { auditFilter, defaultWindowDays, filterQuery, type AuditFilter } from "@/lib/audit/search-filter";
import { formatDate, formatDay } from "@/lib/calendar";
import { Suspense } from "react";
import { Loading } from "@/components/ui/loading";
import type { Ctx } from "@/lib/auth/context";
import { listAuditTrusts, searchAuditEvents } from "@/lib/audit/search";
import { validationError } from "@/lib/errors";
import { orNotFound, pageQuery } from "@/lib/pages";

export const metadata: Metadata = { title: "Audit trail" };

type Search = Record<string, string | string[] | undefined>;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const ctx = await requireContext();
  const raw = Object.fromEntries(Object.entries(await pageQuery(searchParams)).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  // Decided before anything streams: a caller who cannot search gets a real 404.
  const trusts = await orNotFound(listAuditTrusts(ctx));
  const parsed = auditFilter.safeParse(raw);
  const errors = parsed.success ? {} : (validationError(parsed.error).details?.fieldErrors ?? {});
  return (
    <>
      <PageHeader
        title="Audit trail"
        description="Who looked at which images, when, why and under which policy. Your searches and exports are recorded too."
        actions={
          parsed.success ? (
            <DownloadLink href={`/audit/export.csv?${filterQuery(parsed.data)}`}>
              Download CSV
            </DownloadLink>
          ) : undefined
        }
      />
      <AuditSubnav current="/audit" sections={auditSectionsFor(ctx)} />
      <AuditFilters values={raw as Record<string, string | undefined>} errors={errors} trusts={trusts} />
      <Suspense key={JSON.stringify(raw)} fallback={<Loading label="Searching the audit trail…" />}>
        <Results ctx={ctx} filter={parsed.success ? parsed.data : null} />
      </Suspense>
    </>
  );
}

async function Results({ ctx, filter }: { ctx: Ctx; filter: AuditFilter | null }) {
  const result = filter ? await searchAuditEvents(ctx, filter) : null;
  const query = filter ? filterQuery(filter) : "";
  // A search with no patient, user or From date reads only the last days: say which, and how to go further.
  const defaultFrom = result?.window.isDefault ? result.window.from : null;
  return (
    <>
      {defaultFrom && (
        <p className="mb-4 border-l-4 border-brand bg-white p-4">
          {filter?.to
            ? `Showing the ${defaultWindowDays} days from ${formatDate(defaultFrom)} to ${formatDay(filter.to)}.`
            : `Showing the last ${defaultWindowDays} days, from ${formatDate(defaultFrom)} to today.`}{" "}
          To search earlier events, enter a patient, a user or a From date.
        </p>
      )}
      {!result ? (
        <p role="alert" className="border-l-4 border-danger bg-white p-4">
          Check the filters marked above.
        </p>
      ) : result.rows.length === 0 ? (
        <EmptyState title={filter?.cursor ? "No more events" : defaultFrom ? `No events in these ${defaultWindowDays} days match these filters` : "No events match these filters"}>
          {defaultFrom ? "Enter a From date to search earlier events, or clear a filter." : "Widen the dates or clear a filter."}
        </EmptyState>
      ) : (
        <>
          <AuditTable rows={result.rows} caption="Audit events, newest first" />
          <nav aria-label="Pages of results" className="mt-4 flex gap-4 no-print">
            {filter?.cursor && (
              <Link href={`/audit?${query}`} className="text-brand underline">
                First page
              </Link>
            )}
            {result.nextCursor && (
              <Link href={`/audit?${filterQuery(filter!, { cursor: result.nextCursor })}`} className="text-brand underline" rel="next">
                Next page
              </Link>
            )}
          </nav>
        </>
      )}
    </>
  );
}
