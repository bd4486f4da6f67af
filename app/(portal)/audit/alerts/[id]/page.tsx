import { auditSectionsFor } from "@/lib/nav";
import type { Metadata } from "next";
import Link from "next/link";
import { AssignForm, CloseForm, NoteForm, ReopenForm } from "@/components/audit/alert-forms";
import { AlertHistory } from "@/components/audit/alert-history";
import { AuditSubnav } from "@/components/audit/audit-subnav";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { actionLabel, alertRuleLabel, alertStatusText, modalityLabel, purposeLabel, resolutionLabels, roleLabel, severityLabel } from "@/lib/labels";
import { formatNhsNumber } from "@/lib/nhs-number";
import { getAlert } from "@/lib/audit/alerts";
import { requireContext } from "@/lib/identity/request";
import { orNotFound } from "@/lib/pages";
import { addAlertNoteAction, assignAlertAction, closeAlertAction, reopenAlertAction } from "../actions";
import { formatDateTime } from "@/lib/calendar";

export const metadata: Metadata = { title: "Alert" };

const when = (d: Date) => formatDateTime(d, { seconds: true });

export default async function AlertPage({ params }: { params: Promise<{ id: string }> }) {
  const ctx = await requireContext();
  const { id } = await params;
  const alert = await orNotFound(getAlert(ctx, id));
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/audit/alerts" className="text-brand underline">Alerts</Link> / {alertRuleLabel(alert.rule)}
      </nav>
      <PageHeader
        title={alertRuleLabel(alert.rule)}
        description={
          <>
            <Badge tone={alert.severity === "high" ? "danger" : alert.severity === "medium" ? "warning" : "neutral"}>{severityLabel(alert.severity)}</Badge> · {alertStatusText(alert.status, alert.assignee)} · images of {alert.trust}
          </>
        }
      />
      <AuditSubnav current="/audit/alerts" sections={auditSectionsFor(ctx)} />
      <section aria-labelledby="what-heading" className="mb-6 rounded border border-line bg-white p-5">
        <h2 id="what-heading" className="mb-2 text-xl font-bold">What happened</h2>
        <p className="mb-3">{alert.summary}</p>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
          <dt className="font-semibold">When</dt>
          <dd>{when(alert.eventOccurredAt)}</dd>
          <dt className="font-semibold">Who</dt>
          <dd>
            {alert.actorEmail ?? "—"} {alert.actorTrust ? `(${alert.actorTrust}${alert.event?.actorRole ? `, ${roleLabel(alert.event.actorRole)}` : ""})` : ""}
          </dd>
          <dt className="font-semibold">Patient</dt>
          <dd>
            {alert.patientNhsNumber ? (
              <Link href={`/audit/patients/${alert.patientNhsNumber}`} className="font-mono text-brand underline">{formatNhsNumber(alert.patientNhsNumber)}</Link>
            ) : (
              "—"
            )}
          </dd>
          {alert.event && (
            <>
              <dt className="font-semibold">Event</dt>
              <dd>
                {[actionLabel(alert.event.action), modalityLabel(alert.event.modality), purposeLabel(alert.event.purpose)].filter(Boolean).join(" · ")} · chain position {alert.event.seq}
              </dd>
            </>
          )}
          {alert.event?.breakGlassJustification && (
            <>
              <dt className="font-semibold">Justification</dt>
              <dd>{alert.event.breakGlassJustification}</dd>
            </>
          )}
          {alert.resolution && (
            <>
              <dt className="font-semibold">Resolution</dt>
              <dd>{resolutionLabels[alert.resolution]}</dd>
            </>
          )}
        </dl>
      </section>
      <section aria-labelledby="notes-heading" className="mb-6">
        <h2 id="notes-heading" className="mb-2 text-xl font-bold">Notes</h2>
        {alert.notes.length === 0 ? (
          <p className="text-muted">No notes yet.</p>
        ) : (
          <ol className="flex flex-col gap-3">
            {alert.notes.map((n) => (
              <li key={n.id} className="rounded border border-line bg-white p-3">
                <p className="whitespace-pre-wrap">{n.body}</p>
                <p className="mt-1 text-sm text-muted">{n.author}, {when(n.createdAt)}</p>
              </li>
            ))}
          </ol>
        )}
      </section>
      <AlertHistory steps={alert.history} />
      {alert.status === "closed" && alert.canWork && (
        <section aria-labelledby="reopen-heading" className="flex flex-col gap-4 rounded border border-line bg-white p-5">
          <h2 id="reopen-heading" className="text-xl font-bold">Reopen this alert</h2>
          <ReopenForm action={reopenAlertAction.bind(null, alert.id)} />
        </section>
      )}
      {alert.status !== "closed" && alert.canWork && (
        <section aria-labelledby="work-heading" className="flex flex-col gap-6 rounded border border-line bg-white p-5">
          <h2 id="work-heading" className="text-xl font-bold">Work this alert</h2>
          <AssignForm action={assignAlertAction.bind(null, alert.id)} workers={alert.workers} current={alert.assignedTo} />
          <NoteForm action={addAlertNoteAction.bind(null, alert.id)} />
          <CloseForm action={closeAlertAction.bind(null, alert.id)} resolutions={Object.entries(resolutionLabels).map(([value, label]) => ({ value, label }))} />
        </section>
      )}
    </>
  );
}
