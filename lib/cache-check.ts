// How the per-instance caches of database state (the policy set, lib/sharing/cache.ts, and the
// reference data, lib/trust-directory.ts) stay current: one setting and one way of checking for
// both, so that a change made through another instance is seen within the same interval
// everywhere. Below every area that caches (it imports nothing), so each can use it without a cycle.

const defaultCheckMs = 1000;

/**
 * How long a cached read is trusted before one query compares it with the database:
 * SHARING_CACHE_CHECK_MS (default 1000 ms; 0 checks on every read; a bad value keeps the default).
 */
export function cacheCheckIntervalMs(): number {
  const v = Number(process.env.SHARING_CACHE_CHECK_MS ?? defaultCheckMs);
  return Number.isFinite(v) && v >= 0 ? v : defaultCheckMs;
}

/** Where a checked cache's data comes from: its version (one tiny query), and the data with it. */
type VersionedSource<T, V> = {
  readVersion: () => Promise<V>;
  load: () => Promise<T>;
  versionOf: (data: T) => V;
};

/**
 * Data of this app instance kept in step with the database. A read costs nothing while the data
 * was checked within `checkIntervalMs`; after that one tiny query compares the database's version
 * with the data's, and only a change reloads. Loading reads the version first, so data read after
 * it is at least that new: a change committed during a load causes one more reload, never stale
 * data kept as current.
 */
export class CheckedCache<T, V> {
  private data: T | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private pending: Promise<T> | undefined;
  /** Moved on by invalidate(): a check begun before it is not the check it asks for. */
  private epoch = 0;
  reloads = 0;

  constructor(
    private readonly checkIntervalMs: number,
    private readonly source: VersionedSource<T, V>,
  ) {}

  /** The current data, reloaded if the version moved on. */
  async get(): Promise<T> {
    const now = Date.now();
    if (this.data !== undefined && now - this.checkedAt < this.checkIntervalMs) return this.data;
    // One check or load at a time, shared by every caller that arrives meanwhile.
    if (!this.pending) {
      const pending = this.refresh(this.epoch, now).finally(() => {
        if (this.pending === pending) this.pending = undefined;
      });
      this.pending = pending;
    }
    return this.pending;
  }

  private async refresh(epoch: number, startedAt: number): Promise<T> {
    const held = this.data;
    let data = held;
    if (held === undefined || (await this.source.readVersion()) !== this.source.versionOf(held)) {
      data = await this.source.load();
      this.reloads++;
    }
    // A check overtaken by invalidate() answers the callers who asked before it, and is not kept.
    if (epoch === this.epoch) {
      this.data = data;
      this.checkedAt = startedAt;
    }
    return data as T;
  }

  /**
   * Forces a check on the next read (after this instance committed a change), even when a check
   * begun before the change is still running.
   */
  invalidate(): void {
    this.epoch++;
    this.checkedAt = Number.NEGATIVE_INFINITY;
    this.pending = undefined;
  }
}
