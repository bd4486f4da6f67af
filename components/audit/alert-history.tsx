import type { AlertStep } from "@/lib/audit/alerts";
import { formatDateTime } from "@/lib/calendar";
import { resolutionLabel } from "@/lib/labels";

function describe(step: AlertStep): string {
  const by = step.by ?? "someone no longer known";
  switch (step.action) {
    case "raised":
      return "Raised by the audit scan";
    case "alert.assign":
      return `Assigned to ${step.assignee ?? "an officer no longer known"} by ${by}`;
    case "alert.note":
      return `Note added by ${by}`;
    case "alert.close":
      return `Closed by ${by}${step.resolution ? ` (${resolutionLabel(step.resolution)})` : ""}`;
    case "alert.reopen":
      return `Reopened by ${by}`;
  }
}

/** An alert's history, oldest first: who did what to it and when, as the audit trail records it. */
export function AlertHistory({ steps }: { steps: AlertStep[] }) {
  return (
    <section aria-labelledby="history-heading" className="mb-6">
      <h2 id="history-heading" className="mb-2 text-xl font-bold">History</h2>
      <ol className="flex flex-col gap-1 border-l-2 border-line pl-4">
        {steps.map((s, i) => (
          <li key={`${s.action}-${i}`}>
            <time dateTime={s.at.toISOString()} className="font-semibold">{formatDateTime(s.at, { seconds: true })}</time> · {describe(s)}
          </li>
        ))}
      </ol>
    </section>
  );
}
