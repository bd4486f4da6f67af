import { apiRoute, readJson } from "@/lib/api/handler";
import { ingestAuditEvents } from "@/lib/audit/ingest";
import { auditBatchInput } from "@/lib/audit/schemas";

export const dynamic = "force-dynamic";

/** A batch of up to 5,000 access events from the PACS: atomic, idempotent on eventId. */
export const POST = apiRoute("audit:write", async (caller, request) => {
  const { events } = await readJson(request, auditBatchInput, "events");
  return Response.json(await ingestAuditEvents(caller, events));
});
