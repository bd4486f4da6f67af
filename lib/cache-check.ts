// How the per-instance caches of database state (the policy set, lib/sharing/cache.ts, and the
// reference data, lib/trust-directory.ts) decide when to look again: one setting for both, so that
// a change made through another instance is seen within the same interval everywhere. Below every
// area that caches (it imports nothing), so each can use it without a cycle.

const defaultCheckMs = 1000;

/**
 * How long a cached read is trusted before one query compares it with the database:
 * SHARING_CACHE_CHECK_MS (default 1000 ms; 0 checks on every read; a bad value keeps the default).
 */
export function cacheCheckIntervalMs(): number {
  const v = Number(process.env.SHARING_CACHE_CHECK_MS ?? defaultCheckMs);
  return Number.isFinite(v) && v >= 0 ? v : defaultCheckMs;
}
