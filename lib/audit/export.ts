import "server-only";
import type { Ctx } from "@/lib/auth/context";
import { csvCell } from "@/lib/csv";
import { eachAuditPage, recordAuditExport, type AuditRow } from "./search";
import type { AuditFilter } from "./search-filter";

const header = [
  "occurred_at", "recorded_at", "action", "outcome", "actor_email", "actor_role", "actor_trust", "patient_nhs_number",
  "study_instance_uid", "accession_number", "modality", "source_trust", "purpose", "policy_id", "policy_version",
  "break_glass_justification", "ip", "workstation", "event_id", "chain", "seq", "hash",
] as const;

function line(r: AuditRow): string {
  return [
    r.occurredAt, r.recordedAt, r.action, r.outcome, r.actorEmail, r.actorRole, r.actorTrust, r.patientNhsNumber,
    r.studyInstanceUid, r.accessionNumber, r.modality, r.sourceTrust, r.purpose, r.policyId, r.policyVersion,
    r.breakGlassJustification, r.ip, r.workstation, r.id, r.chain, r.seq, r.hash,
  ].map(csvCell).join(",") + "\r\n";
}

/**
 * The filtered trail as CSV, streamed a keyset page at a time so that memory stays flat however
 * many rows there are. The export is recorded before its first row leaves.
 */
export async function auditCsvStream(ctx: Ctx, filter: AuditFilter): Promise<ReadableStream<Uint8Array>> {
  await recordAuditExport(ctx, filter, "csv");
  const encoder = new TextEncoder();
  const pages = eachAuditPage(ctx, filter);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(header.join(",") + "\r\n"));
    },
    async pull(controller) {
      const next = await pages.next();
      if (next.done) return controller.close();
      controller.enqueue(encoder.encode(next.value.rows.map(line).join("")));
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
}
