import { auditSectionsFor } from "@/lib/nav";
import type { Metadata } from "next";
import Link from "next/link";
import { AuditSubnav } from "@/components/audit/audit-subnav";
import { Badge } from "@/components/ui/badge";
import { DataTable, type DataColumn } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { alertFilter } from "@/lib/audit/alert-schemas";
import { alertRuleLabel, alertRuleLabels, alertStatusText, resolutionLabels, severityLabel, severityLabels } from "@/lib/labels";
import { formatNhsNumber } from "@/lib/nhs-number";
import { listAlerts } from "@/lib/audit/alerts";
import { requireContext } from "@/lib/identity/request";
import { orNotFound, pageQuery } from "@/lib/pages";
import { formatDateTime } from "@/lib/calendar";
import { FilterSelect } from "@/components/ui/filter-fields";
import { BulkCloseForm } from "@/components/audit/alert-forms";
import { closeAlertsAction } from "./actions";

export const metadata: Metadata = { title: "Audit alerts" };

const severityTone = { high: "danger", medium: "warning", low: "neutral" } as const;
const when = (d: Date) => formatDateTime(d);

export default async function AlertsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const ctx = await requireContext();
  const filter = alertFilter.parse(await pageQuery(searchParams));
  const { rows, nextCursor } = await orNotFound(listAlerts(ctx, filter));
  const query = (extra: Record<string, string>) => {
    const params: Record<string, string | undefined> = { status: filter.status, rule: filter.rule, severity: filter.severity, ...extra };
    return new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => Boolean(e[1]))).toString();
  };
  // Open alerts can be ticked and closed together; a queue of closed ones has nothing to close.
  const canClose = rows.some((a) => a.status !== "closed");
  type Row = (typeof rows)[number];
  const columns: DataColumn<Row>[] = [
    ...(canClose
      ? [
          {
            header: "Tick to close",
            srOnlyHeader: true,
            cell: (a: Row) =>
              a.status !== "closed" && (
                <input type="checkbox" name="ids" value={a.id} aria-label={`Tick to close: ${alertRuleLabel(a.rule)}, ${when(a.eventOccurredAt)}`} className="h-5 w-5" />
              ),
          },
        ]
      : []),
    { header: "Raised", className: "whitespace-nowrap", cell: (a) => when(a.eventOccurredAt) },
    { header: "Severity", cell: (a) => <Badge tone={severityTone[a.severity]}>{severityLabel(a.severity)}</Badge> },
    {
      header: "Alert",
      cell: (a) => (
        <>
          <Link href={`/audit/alerts/${a.id}`} className="font-semibold text-brand underline">
            {alertRuleLabel(a.rule)}
          </Link>
          <div className="text-muted">{a.summary}</div>
        </>
      ),
    },
    { header: "Trust", cell: (a) => a.trust },
    { header: "Patient", className: "whitespace-nowrap font-mono", cell: (a) => (a.patientNhsNumber ? formatNhsNumber(a.patientNhsNumber) : "—") },
    { header: "Status", cell: (a) => alertStatusText(a.status, a.assigneeName) },
  ];
  return (
    <>
      <PageHeader title="Alerts" description="What in the audit trail needs a human look. Assign, annotate and close each one, or tick several and close them together; every step is recorded." />
      <AuditSubnav current="/audit/alerts" sections={auditSectionsFor(ctx)} />
      <form method="get" aria-label="Filter alerts" className="mb-4 flex flex-wrap items-end gap-4 no-print">
        <FilterSelect
          name="status"
          label="Status"
          value={filter.status ?? "open"}
          anyLabel={null}
          options={[
            { value: "open", label: "Open or assigned" },
            { value: "assigned", label: "Assigned" },
            { value: "closed", label: "Closed" },
            { value: "all", label: "All" },
          ]}
        />
        <FilterSelect name="rule" label="Rule" value={filter.rule} options={Object.entries(alertRuleLabels).map(([value, label]) => ({ value, label }))} />
        <FilterSelect
          name="severity"
          label="Severity"
          value={filter.severity}
          options={Object.entries(severityLabels).map(([value, label]) => ({ value, label }))}
        />
        <button type="submit" className="rounded bg-brand px-4 py-2 font-semibold text-white">Filter</button>
      </form>
      {/* Keyed by the filters and page: the last close's answer stays while its queue re-renders, not on another queue. */}
      <BulkCloseForm key={query({ cursor: filter.cursor ?? "" })} action={closeAlertsAction} canClose={canClose} resolutions={Object.entries(resolutionLabels).map(([value, label]) => ({ value, label }))}>
        <DataTable
          caption="Alerts, newest first"
          rows={rows}
          rowKey={(a) => a.id}
          columns={columns}
          empty={<EmptyState title="No alerts here">Nothing matches these filters.</EmptyState>}
          paging={{ label: "Pages of alerts", first: filter.cursor ? `/audit/alerts?${query({})}` : null, next: nextCursor ? `/audit/alerts?${query({ cursor: nextCursor })}` : null }}
          csvHref={`/audit/alerts/export.csv?${query({})}`}
        />
      </BulkCloseForm>
    </>
  );
}
