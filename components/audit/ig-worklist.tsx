import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import type { IgWorklist as Worklist } from "@/lib/home/worklist";
import type { WorklistAlert } from "@/lib/audit/alerts";
import { formatDate, formatDateTime } from "@/lib/calendar";
import { plural } from "@/lib/format";
import { alertRuleLabel, severityLabel } from "@/lib/labels";
import { formatNhsNumber } from "@/lib/nhs-number";

const severityTone = { high: "danger", medium: "warning", low: "neutral" } as const;

function AlertList({ id, title, empty, more, list }: { id: string; title: string; empty: string; more: string; list: { count: number; rows: WorklistAlert[] } }) {
  return (
    <section aria-labelledby={id} className="rounded border border-line bg-white p-5">
      <h3 id={id} className="mb-2 text-lg font-bold">
        {title} <span className="font-normal text-muted">({list.count.toLocaleString("en-GB")})</span>
      </h3>
      {list.rows.length === 0 ? (
        <p className="text-muted">{empty}</p>
      ) : (
        <ul className="flex flex-col gap-2">
          {list.rows.map((a) => (
            <li key={a.id}>
              <Badge tone={severityTone[a.severity]}>{severityLabel(a.severity)}</Badge>{" "}
              <Link href={`/audit/alerts/${a.id}`} className="font-semibold text-brand underline">
                {alertRuleLabel(a.rule)}
              </Link>{" "}
              <span className="text-sm text-muted">
                {a.trust} · {formatDateTime(a.eventOccurredAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
      {list.count > list.rows.length && (
        <p className="mt-2">
          <Link href={more} className="text-brand underline">
            All {plural(list.count, "alert")}
          </Link>
        </p>
      )}
    </section>
  );
}

/** An IG officer's home: what waits for them, each item a link to where it is worked. */
export function IgWorklist({ worklist }: { worklist: Worklist }) {
  const { alerts, approvals, reports } = worklist;
  return (
    <section aria-labelledby="worklist-heading" className="mb-8">
      <h2 id="worklist-heading" className="mb-3 text-xl font-bold">
        Your work
      </h2>
      <div className="grid gap-4 md:grid-cols-2">
        <AlertList id="alerts-mine" title="Alerts assigned to you" empty="No open alerts are assigned to you." more="/audit/alerts" list={alerts.mine} />
        <AlertList id="alerts-unassigned" title="Alerts no one has taken" empty="Every open alert has someone working it." more="/audit/alerts?status=open" list={alerts.unassigned} />
        <section aria-labelledby="approvals-heading" className="rounded border border-line bg-white p-5">
          <h3 id="approvals-heading" className="mb-2 text-lg font-bold">
            Policies awaiting your approval <span className="font-normal text-muted">({approvals.length.toLocaleString("en-GB")})</span>
          </h3>
          {approvals.length === 0 ? (
            <p className="text-muted">No policy version waits for your approval.</p>
          ) : (
            <ul className="flex flex-col gap-2">
              {approvals.map((v) => (
                <li key={v.id}>
                  <Link href={`/sharing/policies/${v.policyId}`} className="font-semibold text-brand underline">
                    {v.policyName}, version {v.version}
                  </Link>{" "}
                  <span className="text-sm text-muted">
                    {v.sourceOds} · from {v.authorName ?? "a former officer"}
                    {v.submittedAt ? ` · sent ${formatDate(v.submittedAt)}` : ""}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="reports-heading" className="rounded border border-line bg-white p-5">
          <h3 id="reports-heading" className="mb-2 text-lg font-bold">
            Patient reports you requested
          </h3>
          <p className="mb-2 text-sm text-muted">The patients whose access reports you looked up in the last 30 days.</p>
          {reports.length === 0 ? (
            <p className="text-muted">None in the last 30 days.</p>
          ) : (
            <ul className="flex flex-col gap-2">
              {reports.map((r) => (
                <li key={r.patientNhsNumber}>
                  <Link href={`/audit/patients/${r.patientNhsNumber}`} className="font-mono font-semibold text-brand underline">
                    {formatNhsNumber(r.patientNhsNumber)}
                  </Link>{" "}
                  <span className="text-sm text-muted">{formatDateTime(r.lookedUpAt)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </section>
  );
}
