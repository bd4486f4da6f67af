import { apiRoute, readJson } from "@/lib/api/handler";
import { ingestExamBatch, ingestScopeOf } from "@/lib/capacity/ingest";
import { examBatch } from "@/lib/capacity/schemas";

export const dynamic = "force-dynamic";

/** A batch of up to 5,000 exams from the PACS: atomic, idempotent on studyInstanceUid. */
export const POST = apiRoute("exams:write", async (caller, request) => {
  const { exams } = await readJson(request, examBatch, "exams");
  return Response.json(await ingestExamBatch(ingestScopeOf(caller), exams));
});
