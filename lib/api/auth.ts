import "server-only";
import { eq } from "drizzle-orm";
import { apiClients, apiKeys } from "@/db/schema";
import { apiKeyCache, invalidApiKeyError, type CachedApiKey } from "@/lib/api-clients/key-cache";
import { apiKeyMatches, apiKeyPrefix, hashApiKey } from "@/lib/api-clients/keys";
import type { ApiScope } from "@/lib/api-clients/schemas";
import { recordAuditEvent } from "@/lib/audit/record";
import { withSystem } from "@/lib/db/scope";
import { AppError } from "@/lib/errors";
import type { ApiCaller } from "@/lib/api-caller";
import { consumeRateLimit, type RateLimited } from "@/lib/rate-limit";

/**
 * Checks `Authorization: Bearer <key>` on every request: a well-formed key whose hash matches, not
 * revoked or expired, of an active client that holds `scope`. Touches last_used_at at most once a
 * minute.
 *
 * `cached`: the key may come from this instance's cache of verified keys (lib/api-clients/key-cache.ts)
 * instead of a look-up. Only for a caller that confirms the key again in the transaction that commits
 * its answer (confirmApiKeys in lib/api-clients/key-cache.ts, as the access decisions' audit batch does), so that a key revoked
 * through any instance is refused from the moment the revocation commits.
 *
 * Rate limits: every attempt with a well-formed key counts against the caller's address (when
 * known) before its hash is checked, so an unauthenticated flood is limited; only an attempt whose
 * key matched counts against that key, so that no one can spend a client's allowance with its
 * (public) prefix. Over either limit: RATE_LIMITED with `retryAfterSeconds` in its details.
 */
export async function authenticateApiKey(
  authorization: string | null,
  scope: ApiScope | null,
  client: { ip: string | null } | null = null,
  options: { cached?: boolean } = {},
): Promise<ApiCaller> {
  const key = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  const prefix = key ? apiKeyPrefix(key) : null;
  if (!key || !prefix) throw new AppError("UNAUTHENTICATED", "Send an API key as 'Authorization: Bearer <key>'.");
  const digest = options.cached ? hashApiKey(key) : null;
  const hit = digest ? apiKeyCache.get(digest) : undefined;
  if (hit) {
    const byAddress = client?.ip ? await consumeRateLimit("apiAddress", client.ip) : null;
    if (byAddress) throw await rateLimitedError(byAddress, null, client);
    return admit(hit, scope, client);
  }
  const mark = apiKeyCache.mark();
  // The address's count (its own statement, see lib/rate-limit.ts) and the key's row at once.
  const [byAddress, row] = await Promise.all([client?.ip ? consumeRateLimit("apiAddress", client.ip) : null, findKey(prefix)]);
  if (byAddress) throw await rateLimitedError(byAddress, null, client);
  const now = Date.now();
  const expiresAt = row?.expiresAt?.getTime() ?? null;
  if (!row || !apiKeyMatches(key, row.keyHash) || row.revokedAt || (expiresAt !== null && expiresAt <= now) || row.status !== "active") {
    throw invalidApiKeyError();
  }
  const verified: CachedApiKey = {
    keyId: row.keyId,
    clientId: row.clientId,
    name: row.name,
    trustId: row.trustId,
    scopes: row.scopes,
    expiresAt,
    lastUsedAt: row.lastUsedAt?.getTime() ?? null,
    cachedAt: now,
  };
  if (digest) apiKeyCache.set(digest, verified, mark);
  return admit(verified, scope, client);
}

/** The key's row and its client's, by the key's (public) prefix. */
function findKey(prefix: string) {
  return withSystem(async (tx) => {
    const [found] = await tx
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
    return found;
  });
}

/** A verified key: counted against its own limit, its scope checked, its last use noted (once a minute). */
async function admit(verified: CachedApiKey, scope: ApiScope | null, client: { ip: string | null } | null): Promise<ApiCaller> {
  const byKey = await consumeRateLimit("apiKey", verified.keyId);
  if (byKey) throw await rateLimitedError(byKey, verified, client);
  if (scope && !verified.scopes.includes(scope)) throw new AppError("FORBIDDEN", `This API key does not have the scope ${scope}.`);
  const now = Date.now();
  if (verified.lastUsedAt === null || now - verified.lastUsedAt > 60_000) {
    // Noted before the write, so that the requests arriving meanwhile do not write it too.
    verified.lastUsedAt = now;
    await withSystem((tx) => tx.update(apiKeys).set({ lastUsedAt: new Date(now) }).where(eq(apiKeys.id, verified.keyId)));
  }
  return { clientId: verified.clientId, keyId: verified.keyId, name: verified.name, trustId: verified.trustId, scopes: verified.scopes };
}

/**
 * The 429 of a refused API call; the first refusal of a window is audited (api.rate_limited, with
 * the client when its key was known), later ones are not, so that a flood is not a flood of rows.
 */
async function rateLimitedError(
  limited: RateLimited,
  caller: { clientId: string; keyId: string; name: string; trustId: string | null } | null,
  client: { ip: string | null } | null,
): Promise<AppError> {
  const { limit, points, windowSeconds, retryAfterSeconds } = limited;
  if (limited.isFirstRefusal) {
    await withSystem((tx) =>
      recordAuditEvent(tx, {
      action: "api.rate_limited",
      outcome: "denied",
      actor: { userId: null, email: null, trustId: caller?.trustId ?? null, role: null },
      sourceTrustId: caller?.trustId ?? null,
      target: caller ? { type: "api_client", id: caller.clientId } : undefined,
      details: { limit, points, windowSeconds, retryAfterSeconds, ...(caller ? { keyId: caller.keyId, client: caller.name } : {}) },
      client: { ip: client?.ip ?? null, userAgent: null },
      }),
    );
  }
  return new AppError("RATE_LIMITED", `Too many requests ${caller ? "with this API key" : "from this address"}: at most ${points} every ${windowSeconds} seconds. Retry after ${retryAfterSeconds} seconds.`, {
    retryAfterSeconds,
  });
}
