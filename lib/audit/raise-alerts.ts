import "server-only";
import { sql } from "drizzle-orm";
import type { Tx } from "@/lib/db/scope";
import { alertsFor, type RuleFacts } from "./alert-rules";
import type { ChainedFields } from "./canonical";

/** One alert to store, shaped as the audit_alerts row it becomes. */
export type AlertRow = {
  trust_id: string | null;
  rule: string;
  severity: string;
  summary: string;
  event_id: string;
  event_occurred_at: string;
  actor_email: string | null;
  actor_trust_id: string | null;
  patient_nhs_number: string | null;
};

/** The alerts the rules raise on one chained access event; they belong to its source trust. */
export function alertRowsFor(event: Omit<ChainedFields, "seq" | "chain">, facts: RuleFacts): AlertRow[] {
  return alertsFor(
    {
      occurredAt: event.occurredAt,
      action: event.action,
      outcome: event.outcome,
      actorEmail: event.actorEmail ?? "",
      actorTrustId: event.actorTrustId ?? "",
      sourceTrustId: event.sourceTrustId ?? "",
      patientNhsNumber: event.patientNhsNumber ?? "",
      purpose: event.purpose ?? "",
      policyId: event.policyId,
      breakGlassJustification: event.breakGlassJustification,
    },
    facts,
  ).map((a) => ({
    trust_id: event.sourceTrustId,
    rule: a.rule,
    severity: a.severity,
    summary: a.summary,
    event_id: event.id,
    event_occurred_at: event.occurredAt.toISOString(),
    actor_email: event.actorEmail,
    actor_trust_id: event.actorTrustId,
    patient_nhs_number: event.patientNhsNumber,
  }));
}

/** Stores alerts in one statement; one alert per rule and event, so a repeat raises nothing twice. */
export async function insertAlerts(tx: Tx, alerts: AlertRow[]): Promise<void> {
  if (alerts.length === 0) return;
  await tx.execute(sql`insert into audit_alerts (trust_id, rule, severity, summary, event_id, event_occurred_at, actor_email, actor_trust_id, patient_nhs_number)
    select trust_id, rule, severity, summary, event_id, event_occurred_at, actor_email, actor_trust_id, patient_nhs_number
    from json_to_recordset(${JSON.stringify(alerts)}::json) as x(trust_id uuid, rule text, severity text, summary text, event_id uuid, event_occurred_at timestamptz, actor_email text, actor_trust_id uuid, patient_nhs_number text)
    on conflict do nothing`);
}
