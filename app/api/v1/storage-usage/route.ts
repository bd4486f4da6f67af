import { apiRoute, readJson } from "@/lib/api/handler";
import { ingestScopeOf, ingestStorageBatch } from "@/lib/capacity/ingest";
import { storageUsageBatch } from "@/lib/capacity/schemas";

export const dynamic = "force-dynamic";

/** A batch of up to 5,000 storage usage snapshots: atomic, idempotent on (trust, tier, date, modality). */
export const POST = apiRoute("storage:write", async (caller, request) => {
  const { usage } = await readJson(request, storageUsageBatch, "usage");
  return Response.json(await ingestStorageBatch(ingestScopeOf(caller), usage));
});
