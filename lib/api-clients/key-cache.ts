import "server-only";
import { and, eq, gt, inArray, isNull, or, sql } from "drizzle-orm";
import { apiClients, apiKeys } from "@/db/schema";
import type { Tx } from "@/lib/db/scope";
import { AppError } from "@/lib/errors";
// The API keys this app instance has verified, by the SHA-256 of the presented key (which is what
// api_keys stores: a hit is a key whose hash matched a stored one), so that a busy PACS's requests
// do not each look their key up in a transaction of its own.
//
// A cached key is trusted only where the key is confirmed again in the transaction that commits the
// answer (the access decisions' audit batch: lib/sharing/decision-audit.ts): a key revoked, rotated
// out or expired, by this instance or another, is refused by the first batch that starts after the
// change committed, and forgotten here. A revocation or rotation made through this instance also
// empties the cache at once (lib/api-clients/commands.ts), and every entry is looked up afresh after
// `maxAgeMs`.

/** What a request needs of a verified key: its client, trust, scopes and validity. */
export type CachedApiKey = {
  keyId: string;
  clientId: string;
  name: string;
  trustId: string | null;
  scopes: readonly string[];
  /** ms since the epoch; null: no expiry. */
  expiresAt: number | null;
  /** ms since the epoch, as last written (or about to be); null: never used. */
  lastUsedAt: number | null;
  cachedAt: number;
};

export class ApiKeyCache {
  private readonly byDigest = new Map<string, CachedApiKey>();
  // Moved on by every forget: a look-up that began before it must not store what it read.
  private epoch = 0;

  constructor(
    private readonly maxAgeMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** The verified key with this digest, unless it is older than maxAgeMs or has expired. */
  get(digest: string, now = Date.now()): CachedApiKey | undefined {
    const entry = this.byDigest.get(digest);
    if (!entry) return undefined;
    if (now - entry.cachedAt >= this.maxAgeMs || (entry.expiresAt !== null && entry.expiresAt <= now)) {
      this.byDigest.delete(digest);
      return undefined;
    }
    return entry;
  }

  /** Where a look-up starts: pass it to set, which stores nothing if the cache was emptied since. */
  mark(): number {
    return this.epoch;
  }

  set(digest: string, entry: CachedApiKey, mark: number): void {
    if (mark !== this.epoch) return;
    if (this.byDigest.size >= this.maxEntries) this.byDigest.clear();
    this.byDigest.set(digest, entry);
  }

  /** Forgets these keys (refused by a confirmation). */
  forgetKeys(keyIds: Iterable<string>): void {
    const ids = new Set(keyIds);
    if (ids.size === 0) return;
    this.epoch++;
    for (const [digest, entry] of this.byDigest) if (ids.has(entry.keyId)) this.byDigest.delete(digest);
  }

  /** Forgets every key (after a revocation or rotation). */
  clear(): void {
    this.epoch++;
    this.byDigest.clear();
  }

  get size(): number {
    return this.byDigest.size;
  }
}

const globalForCache = globalThis as unknown as { mosaicApiKeyCache?: ApiKeyCache };

/** The process-wide cache (one per app instance). */
export const apiKeyCache: ApiKeyCache = (globalForCache.mosaicApiKeyCache ??= new ApiKeyCache(60_000));

/**
 * Empties this instance's key cache: called by a revocation or rotation, in its transaction (a look-up
 * that caches the old state again before the commit is caught by the next confirmation).
 */
export function forgetCachedApiKeys(): void {
  apiKeyCache.clear();
}

/**
 * The ids among `keyIds` of keys still valid now, read in the caller's transaction (consortium
 * scope): not revoked, not expired, of an active client. The confirmation behind `cached`.
 */
export async function confirmApiKeys(tx: Tx, keyIds: readonly string[]): Promise<Set<string>> {
  if (keyIds.length === 0) return new Set();
  const live = await tx
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .innerJoin(apiClients, eq(apiClients.id, apiKeys.clientId))
    .where(and(inArray(apiKeys.id, [...new Set(keyIds)]), isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, sql`now()`)), eq(apiClients.status, "active")));
  return new Set(live.map((k) => k.id));
}

/** The refusal of a key that is not (or no longer) valid. */
export function invalidApiKeyError(): AppError {
  return new AppError("UNAUTHENTICATED", "This API key is not valid: it is unknown, revoked or expired.");
}
