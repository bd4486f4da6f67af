import "server-only";
import { sql } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import { CheckedCache, cacheCheckIntervalMs } from "@/lib/cache-check";
import { withSystem, type Tx } from "@/lib/db/scope";

// The public reference data of the consortium's trusts, read by every area (the audit trail names
// trusts with it, so it sits below lib/trusts, whose changes the audit trail records).

/** A trust as other records refer to it: the one trust reference type of lib/. */
export type TrustRef = { id: string; odsCode: string; name: string };

/** A trust in the public directory: its reference and its status (onboarding, active, offboarded). */
export type DirectoryTrust = TrustRef & { status: string };

/** Every member trust's ODS code and name (public reference data), whatever the caller's scope. */
export async function trustDirectory(tx: Tx): Promise<DirectoryTrust[]> {
  const rows = rowsOf<{ id: string; ods_code: string; name: string; status: string }>(await tx.execute(sql`select * from mosaic_trust_directory()`));
  return rows.map((r) => ({ id: r.id, odsCode: r.ods_code, name: r.name, status: r.status }));
}

/** The consortium's reference data that every page shows: its name and the trust directory. */
export type ReferenceData = { consortiumName: string; trusts: DirectoryTrust[]; byId: Map<string, DirectoryTrust> };

type Loaded = ReferenceData & { version: string };

// What moves when the reference data changes: the sharing generation (moved on by triggers when a
// trust's ODS code or status changes, or one is added or removed) and the trusts' latest update
// (a rename sets updated_at, which the generation's trigger does not watch).
const versionQuery = sql`select (select generation from sharing_generation where id = 1)::text || '/' ||
  coalesce((select max(updated_at) from trusts)::text, '') || '/' || (select count(*) from trusts)::text as version`;

async function readVersion(tx: Tx): Promise<string> {
  const [row] = rowsOf<{ version: string | null }>(await tx.execute(versionQuery));
  return row?.version ?? "";
}

async function loadReference(): Promise<Loaded> {
  return withSystem(async (tx) => {
    // The version first: data read after it is at least that new, so a change committed during the
    // load only causes one more reload, never a stale directory kept as current.
    const version = await readVersion(tx);
    const [trusts, names] = await Promise.all([trustDirectory(tx), tx.execute(sql`select name from consortium limit 1`)]);
    const consortiumName = rowsOf<{ name: string }>(names)[0]?.name ?? "Consortium";
    return { version, consortiumName, trusts, byId: new Map(trusts.map((t) => [t.id, t])) };
  });
}

/**
 * The reference data of this app instance, with the policy cache's invalidation (lib/cache-check.ts):
 * a change made through any instance is seen within `checkIntervalMs`.
 */
export class ReferenceCache extends CheckedCache<Loaded, string> {
  constructor(checkIntervalMs: number) {
    super(checkIntervalMs, { readVersion: () => withSystem(readVersion), load: loadReference, versionOf: (data) => data.version });
  }

  /**
   * The reference data, checked against the database at once when it lacks what the caller needs
   * (a trust created through another instance within the interval): a miss never answers "no such
   * trust" from a stale directory.
   */
  async getWith(has: (data: ReferenceData) => boolean): Promise<ReferenceData> {
    const data = await this.get();
    if (has(data)) return data;
    this.invalidate();
    return this.get();
  }
}

const globalForCache = globalThis as unknown as { mosaicReferenceCache?: ReferenceCache };

/** The process-wide cache of reference data (one per app instance), for pages' read paths. */
export const referenceCache: ReferenceCache = (globalForCache.mosaicReferenceCache ??= new ReferenceCache(cacheCheckIntervalMs()));
