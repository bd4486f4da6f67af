import { z } from "zod";
import { apiRoute, readJson } from "@/lib/api/handler";
import { clientInfoFrom } from "@/lib/identity/client-info";
import { answerAccessDecisions } from "@/lib/sharing/api";

export const dynamic = "force-dynamic";

/**
 * May this user view this study? One request, or a batch `{ requests: [...] }` of up to 500. The
 * answer leaves only once every decision in it is in the audit trail; when the trail cannot store
 * them, no decision is given: 503 UNAVAILABLE with Retry-After, and the PACS asks again. The key
 * comes from this instance's cache of verified keys; the audit batch confirms it (a key revoked
 * through any instance is refused, 401, from the moment the revocation commits).
 */
export const POST = apiRoute("decisions:read", async (caller, request) => {
  const body = await readJson(request, z.unknown(), "requests");
  const answer = await answerAccessDecisions(caller, body, { ...clientInfoFrom(request.headers), requestId: request.headers.get("x-request-id") });
  return Response.json(answer, { headers: { "Cache-Control": "no-store" } });
}, { cachedKey: true });
