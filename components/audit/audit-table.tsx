import { Badge } from "@/components/ui/badge";
import type { AuditRow } from "@/lib/audit/search";
import { formatDateTime } from "@/lib/calendar";
import { actionLabel, modalityLabel, outcomeLabel, purposeLabel, roleLabel, targetTypeLabel } from "@/lib/labels";
import { formatNhsNumber } from "@/lib/nhs-number";

const when = (d: Date) => formatDateTime(d, { seconds: true });
const outcomeTone = { success: "success", denied: "danger", failure: "warning" } as const;

/** Audit events as a table; each row opens to show where it sits in its hash chain. */
export function AuditTable({ rows, caption }: { rows: AuditRow[]; caption: string }) {
  return (
    <div className="overflow-x-auto rounded border border-line bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-line bg-canvas">
          <tr>
            <th scope="col" className="px-3 py-2">When (UK time)</th>
            <th scope="col" className="px-3 py-2">Who</th>
            <th scope="col" className="px-3 py-2">Did</th>
            <th scope="col" className="px-3 py-2">Patient</th>
            <th scope="col" className="px-3 py-2">Study</th>
            <th scope="col" className="px-3 py-2">Why</th>
            <th scope="col" className="px-3 py-2">Detail</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className="border-b border-line align-top last:border-0">
              <td className="whitespace-nowrap px-3 py-2">{when(r.occurredAt)}</td>
              <td className="px-3 py-2">
                <div>{r.actorEmail ?? "—"}</div>
                <div className="text-muted">
                  {[roleLabel(r.actorRole), r.actorTrust].filter(Boolean).join(", ") || "—"}
                </div>
              </td>
              <td className="px-3 py-2">
                <div title={r.action}>{actionLabel(r.action)}</div>
                <Badge tone={outcomeTone[r.outcome as keyof typeof outcomeTone] ?? "neutral"}>{outcomeLabel(r.outcome)}</Badge>
              </td>
              <td className="whitespace-nowrap px-3 py-2 font-mono">
                {r.patientNhsNumber ? (
                  <a href={`/audit/patients/${r.patientNhsNumber}`} className="text-brand underline">
                    <span className="sr-only">Access report for </span>
                    {formatNhsNumber(r.patientNhsNumber)}
                  </a>
                ) : (
                  "—"
                )}
              </td>
              <td className="px-3 py-2">
                {r.studyInstanceUid ? (
                  <>
                    <div>
                      <abbr title={modalityLabel(r.modality)}>{r.modality}</abbr> · {r.sourceTrust} {r.accessionNumber ? `· ${r.accessionNumber}` : ""}
                    </div>
                    <a
                      href={`/audit?${new URLSearchParams({ study: r.studyInstanceUid })}`}
                      className="block max-w-[14rem] truncate font-mono text-xs text-brand underline"
                      title={r.studyInstanceUid}
                    >
                      {r.studyInstanceUid}
                    </a>
                  </>
                ) : (
                  <span className="text-muted">{r.targetType ? targetTypeLabel(r.targetType) : "—"}</span>
                )}
              </td>
              <td className="px-3 py-2">
                <div>{r.purpose ? purposeLabel(r.purpose) : "—"}</div>
                {r.policyId && <div className="text-muted">policy v{r.policyVersion}</div>}
                {r.breakGlassJustification && <Badge tone="warning">break-glass</Badge>}
              </td>
              <td className="px-3 py-2">
                <details>
                  <summary className="cursor-pointer text-brand underline">
                    Show<span className="sr-only"> event {r.id}</span>
                  </summary>
                  <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
                    <dt className="font-semibold">Event id</dt>
                    <dd className="font-mono">{r.id}</dd>
                    <dt className="font-semibold">Recorded</dt>
                    <dd>{when(r.recordedAt)}</dd>
                    <dt className="font-semibold">Chain</dt>
                    <dd>
                      {r.chain === "consortium" ? "consortium" : (r.sourceTrust ?? r.chain)} · position {r.seq}
                    </dd>
                    <dt className="font-semibold">Hash</dt>
                    <dd className="break-all font-mono">{r.hash}</dd>
                    <dt className="font-semibold">Previous hash</dt>
                    <dd className="break-all font-mono">{r.prevHash}</dd>
                    {r.breakGlassJustification && (
                      <>
                        <dt className="font-semibold">Justification</dt>
                        <dd>{r.breakGlassJustification}</dd>
                      </>
                    )}
                    <dt className="font-semibold">From</dt>
                    <dd>{[r.ip, r.workstation].filter(Boolean).join(" · ") || "—"}</dd>
                    {r.details != null && (
                      <>
                        <dt className="font-semibold">Details</dt>
                        <dd className="break-all font-mono">{JSON.stringify(r.details)}</dd>
                      </>
                    )}
                  </dl>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
