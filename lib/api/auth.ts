import "server-only";
import { eq } from "drizzle-orm";
import { apiClients, apiKeys } from "@/db/schema";
import { apiKeyMatches, apiKeyPrefix } from "@/lib/api-clients/keys";
import type { ApiScope } from "@/lib/api-clients/schemas";
import { withSystem } from "@/lib/db/scope";
import { AppError } from "@/lib/errors";

/** A machine caller whose key was checked: its client, trust (null = consortium) and scopes. */
export type ApiCaller = { clientId: string; keyId: string; name: string; trustId: string | null; scopes: readonly string[] };

/**
 * Checks `Authorization: Bearer <key>` on every request: a well-formed key whose hash matches, not
 * revoked or expired, of an active client that holds `scope`. Touches last_used_at at most once a
 * minute.
 */
export async function authenticateApiKey(authorization: string | null, scope: ApiScope | null): Promise<ApiCaller> {
  const key = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  const prefix = key ? apiKeyPrefix(key) : null;
  if (!key || !prefix) throw new AppError("UNAUTHENTICATED", "Send an API key as 'Authorization: Bearer <key>'.");
  return withSystem(async (tx) => {
    const [row] = await tx
      .select({
        keyId: apiKeys.id,
        keyHash: apiKeys.keyHash,
        expiresAt: apiKeys.expiresAt,
        revokedAt: apiKeys.revokedAt,
        lastUsedAt: apiKeys.lastUsedAt,
        clientId: apiClients.id,
        name: apiClients.name,
        trustId: apiClients.trustId,
        scopes: apiClients.scopes,
        status: apiClients.status,
      })
      .from(apiKeys)
      .innerJoin(apiClients, eq(apiClients.id, apiKeys.clientId))
      .where(eq(apiKeys.prefix, prefix));
    const now = new Date();
    if (!row || !apiKeyMatches(key, row.keyHash) || row.revokedAt || (row.expiresAt && row.expiresAt <= now) || row.status !== "active") {
      throw new AppError("UNAUTHENTICATED", "This API key is not valid: it is unknown, revoked or expired.");
    }
    if (scope && !row.scopes.includes(scope)) throw new AppError("FORBIDDEN", `This API key does not have the scope ${scope}.`);
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
      await tx.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.keyId));
    }
    return { clientId: row.clientId, keyId: row.keyId, name: row.name, trustId: row.trustId, scopes: row.scopes };
  });
}

/** May this caller send data of this trust? A consortium client may send any trust's. */
export function assertCallerTrust(caller: ApiCaller, trustId: string, where: { item?: number; field: string }): void {
  if (caller.trustId !== null && caller.trustId !== trustId) {
    throw new AppError("FORBIDDEN", "This API client may only send data of its own trust.", { issues: [{ ...where, message: "not this client's trust" }] });
  }
}
