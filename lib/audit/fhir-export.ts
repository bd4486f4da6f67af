import "server-only";
// GET /api/v1/audit-events: a patient's access history as a FHIR searchset Bundle, for a machine
// client (a national audit service, a trust's IG tooling) with the audit:read scope.
import { and, desc, eq, gte, lt, or, sql, type SQL } from "drizzle-orm";
import { auditEvents, trusts } from "@/db/schema";
import type { ApiCaller } from "@/lib/api/auth";
import { withApiClient } from "@/lib/db/scope";
import { decodeExportCursor, encodeExportCursor, toFhirAuditEvent, toSearchsetBundle, type FhirExportQuery, type MosaicAccessEvent } from "./fhir";
import { recordAuditEvent } from "./record";

const startOf = (v: string) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
const endOf = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(new Date(`${v}T00:00:00Z`).getTime() + 86_400_000) : new Date(v));

/**
 * One page of a patient's access events, newest first, as FHIR AuditEvents. Keyset paging (no
 * OFFSET, no count of the whole result) on the patient index. A trust's client sees the events
 * about its images or by its staff and no others: the where clause says so, and row-level
 * security (withApiClient) says it again. The export is itself an audit event, in the same
 * transaction.
 */
export async function exportFhirAuditEvents(
  caller: ApiCaller,
  query: FhirExportQuery,
  observer: string,
): Promise<{ resources: Record<string, unknown>[]; nextCursor: string | null }> {
  const cursor = query.cursor ? decodeExportCursor(query.cursor) : null;
  return withApiClient(caller, async (tx) => {
    const conditions: (SQL | undefined)[] = [eq(auditEvents.patientNhsNumber, query.patient)];
    if (caller.trustId !== null) conditions.push(or(eq(auditEvents.sourceTrustId, caller.trustId), eq(auditEvents.actorTrustId, caller.trustId)));
    if (query.from) conditions.push(gte(auditEvents.occurredAt, startOf(query.from)));
    if (query.to) conditions.push(lt(auditEvents.occurredAt, endOf(query.to)));
    if (cursor) {
      conditions.push(sql`(${auditEvents.occurredAt}, ${auditEvents.id}) < (${cursor.occurredAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`);
    }
    const rows = await tx
      .select()
      .from(auditEvents)
      .where(and(...conditions))
      .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
      .limit(query._count + 1);
    const page = rows.slice(0, query._count);
    const odsOf = new Map((await tx.select({ id: trusts.id, odsCode: trusts.odsCode }).from(trusts)).map((t) => [t.id, t.odsCode]));
    const ods = (id: string | null) => (id ? (odsOf.get(id) ?? null) : null);

    const resources = page.map((r) => {
      const event: MosaicAccessEvent = {
        eventId: r.id,
        occurredAt: r.occurredAt.toISOString(),
        action: r.action,
        outcome: r.outcome,
        actor: { user: r.actorEmail, trust: ods(r.actorTrustId), role: r.actorRole },
        patient: r.patientNhsNumber ? { nhsNumber: r.patientNhsNumber } : null,
        study: r.studyInstanceUid || r.sourceTrustId ? { studyInstanceUid: r.studyInstanceUid, accessionNumber: r.accessionNumber, sourceTrust: ods(r.sourceTrustId), modality: r.modality } : null,
        purpose: r.purpose,
        policy: r.policyId && r.policyVersion ? { id: r.policyId, version: r.policyVersion } : null,
        breakGlassJustification: r.breakGlassJustification,
        source: { ip: r.ip, workstation: r.workstation },
      };
      return toFhirAuditEvent(event, { recordedAt: r.recordedAt, observer });
    });

    await recordAuditEvent(tx, {
      action: "audit.export",
      actor: { trustId: caller.trustId, role: null },
      sourceTrustId: caller.trustId,
      details: {
        apiClient: { id: caller.clientId, name: caller.name },
        format: "fhir",
        filter: { patient: query.patient, from: query.from, to: query.to, page: query.cursor ? "next" : "first" },
        results: resources.length,
      },
    });
    const last = page.at(-1);
    return { resources, nextCursor: rows.length > query._count && last ? encodeExportCursor(last.occurredAt, last.id) : null };
  });
}

/** The searchset Bundle of one page, with self and next links built from the request's URL. */
export function exportBundle(requestUrl: string, page: { resources: Record<string, unknown>[]; nextCursor: string | null }): Record<string, unknown> {
  const next = page.nextCursor ? new URL(requestUrl) : null;
  next?.searchParams.set("cursor", page.nextCursor ?? "");
  return toSearchsetBundle(page.resources, { self: requestUrl, next: next?.toString() ?? null });
}
