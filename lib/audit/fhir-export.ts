import "server-only";
// GET /api/v1/audit-events: a patient's access history as a FHIR searchset Bundle, for a machine
// client (a national audit service, a trust's IG tooling) with the audit:read scope. The rows come
// from the same search as the IG pages (lib/audit/search.ts), so scope and paging are one code path.
import type { ApiCaller } from "@/lib/api-caller";
import type { Ctx } from "@/lib/auth/context";
import { withTenant } from "@/lib/db/scope";
import { toFhirAuditEvent, toSearchsetBundle, type FhirExportQuery, type MosaicAccessEvent } from "./fhir";
import { recordAuditEvent } from "./record";
import { findAuditEvents, type AuditRow } from "./search";

/**
 * A machine client as the audit search sees it: an IG officer's reach, at the client's trust (the
 * events about its images or by its staff), or across the consortium for a consortium client.
 * Only apiRoute makes an ApiCaller, after checking the key and its audit:read scope.
 */
function searchContextOf(caller: ApiCaller): Ctx {
  return {
    userId: "",
    email: "",
    name: caller.name,
    homeTrustId: caller.trustId,
    sessionId: null,
    roles: [{ role: "ig_officer", trustId: caller.trustId }],
    client: { ip: null, userAgent: null },
  };
}

/** A stored row as the FHIR mapping reads it. */
function accessEventOf(r: AuditRow): MosaicAccessEvent {
  return {
    eventId: r.id,
    occurredAt: r.occurredAt.toISOString(),
    action: r.action,
    outcome: r.outcome,
    actor: { user: r.actorEmail, trust: r.actorTrust, role: r.actorRole },
    patient: r.patientNhsNumber ? { nhsNumber: r.patientNhsNumber } : null,
    study: r.studyInstanceUid || r.sourceTrust ? { studyInstanceUid: r.studyInstanceUid, accessionNumber: r.accessionNumber, sourceTrust: r.sourceTrust, modality: r.modality } : null,
    purpose: r.purpose,
    policy: r.policyId && r.policyVersion ? { id: r.policyId, version: r.policyVersion } : null,
    breakGlassJustification: r.breakGlassJustification,
    source: { ip: r.ip, workstation: r.workstation },
  };
}

/**
 * One page of a patient's access events, newest first, as FHIR AuditEvents, with keyset paging
 * (no OFFSET, no count of the whole result). Row-level security scopes the transaction to the
 * client's trust as well. The export is itself an audit event, in the same transaction.
 */
export async function exportFhirAuditEvents(
  caller: ApiCaller,
  query: FhirExportQuery,
  observer: string,
): Promise<{ resources: Record<string, unknown>[]; nextCursor: string | null }> {
  const ctx = searchContextOf(caller);
  return withTenant(ctx, async (tx) => {
    const page = await findAuditEvents(tx, ctx, { patient: query.patient, from: query.from, to: query.to, cursor: query.cursor }, query._count);
    const resources = page.rows.map((r) => toFhirAuditEvent(accessEventOf(r), { recordedAt: r.recordedAt, observer }));
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
    return { resources, nextCursor: page.nextCursor };
  });
}

/** The searchset Bundle of one page, with self and next links built from the request's URL. */
export function exportBundle(requestUrl: string, page: { resources: Record<string, unknown>[]; nextCursor: string | null }): Record<string, unknown> {
  const next = page.nextCursor ? new URL(requestUrl) : null;
  next?.searchParams.set("cursor", page.nextCursor ?? "");
  return toSearchsetBundle(page.resources, { self: requestUrl, next: next?.toString() ?? null });
}
