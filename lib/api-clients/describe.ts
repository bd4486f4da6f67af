import "server-only";
import { eq } from "drizzle-orm";
import { trusts } from "@/db/schema";
import type { ApiCaller } from "@/lib/api-caller";
import { withSystem } from "@/lib/db/scope";
import type { z } from "zod";
import type { meResponse } from "./schemas";

/** What GET /api/v1/me answers: the caller's client, trust and scopes. */
export async function describeApiCaller(caller: ApiCaller): Promise<z.infer<typeof meResponse>> {
  const trustId = caller.trustId;
  const ods = trustId ? (await withSystem((tx) => tx.select({ odsCode: trusts.odsCode }).from(trusts).where(eq(trusts.id, trustId))))[0]?.odsCode ?? null : null;
  return { client: { id: caller.clientId, name: caller.name, trust: ods, scopes: caller.scopes as z.infer<typeof meResponse>["client"]["scopes"] } };
}
