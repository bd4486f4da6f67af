import { callerUrlOf } from "@/lib/api/request-url";
import { apiRoute, jsonContentType, mediaTypeOf, readJson, readJsonBody } from "@/lib/api/handler";
import { invalidRequest, type ApiIssue } from "@/lib/api-issues";
import { fhirContentType, fhirExportQuery, fhirIssueAt, readFhirAuditBody } from "@/lib/audit/fhir";
import { exportBundle, exportFhirAuditEvents } from "@/lib/audit/fhir-export";
import { ingestAuditEvents } from "@/lib/audit/ingest";
import { auditBatchInput } from "@/lib/audit/schemas";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

// Either media type is read at this door (any other is a 415); the type says how the body reads.
const mediaTypes = [jsonContentType, fhirContentType];

/**
 * A batch of up to 5,000 access events from the PACS: atomic, idempotent on eventId. As Mosaic
 * JSON (`{ events }`), or with Content-Type application/fhir+json as FHIR R4 AuditEvents (a Bundle
 * of type batch or collection, or one resource), idempotent on the AuditEvent id.
 */
export const POST = apiRoute("audit:write", async (caller, request) => {
  if (mediaTypeOf(request) === fhirContentType) {
    const read = readFhirAuditBody(await readJsonBody(request, { mediaTypes, issueAt: fhirIssueAt }));
    if (!read.ok) throw invalidRequest(read.issues);
    try {
      return Response.json(await ingestAuditEvents(caller, read.events));
    } catch (error) {
      const issues = error instanceof AppError ? (error.details?.issues as ApiIssue[] | undefined) : undefined;
      if (!(error instanceof AppError) || !issues) throw error;
      const named = read.toFhirIssues(issues);
      throw error.code === "VALIDATION" ? invalidRequest(named) : new AppError(error.code, error.message, { ...error.details, issues: named });
    }
  }
  const { events } = await readJson(request, auditBatchInput, "events", mediaTypes);
  return Response.json(await ingestAuditEvents(caller, events));
});

/** A patient's access events as a FHIR searchset Bundle, newest first, a page at a time (`next` link). */
export const GET = apiRoute("audit:read", async (caller, request) => {
  // Self and next links point where the caller called (127.0.0.1, a DNS name), not at localhost.
  const url = callerUrlOf(request);
  const parsed = fhirExportQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) {
    throw invalidRequest(parsed.error.issues.map((i) => ({ path: i.path.join("."), field: i.path.join(".") || "(query)", message: i.message })));
  }
  const page = await exportFhirAuditEvents(caller, parsed.data, "Mosaic");
  return new Response(JSON.stringify(exportBundle(url.toString(), page)), {
    headers: { "Content-Type": `${fhirContentType}; charset=utf-8`, "Cache-Control": "no-store" },
  });
});
