import { alertFilter } from "@/lib/audit/alert-schemas";
import { exportAlerts } from "@/lib/audit/alerts";
import { toCsv } from "@/lib/csv";
import { portalRoute } from "@/lib/portal-route";

export const dynamic = "force-dynamic";

/** The alert queue with its filters (every page) as CSV, one line per alert. */
export const GET = portalRoute(async (ctx, query) => {
  const filter = alertFilter.parse(query);
  const rows = await exportAlerts(ctx, filter);
  const csv = toCsv(
    ["event_occurred_at", "trust", "rule", "severity", "status", "assignee", "resolution", "patient_nhs_number", "actor_email", "summary", "alert_id"],
    rows.map((a) => [a.eventOccurredAt, a.trust, a.rule, a.severity, a.status, a.assigneeName, a.resolution, a.patientNhsNumber, a.actorEmail, a.summary, a.id]),
  );
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="mosaic-alerts-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});
