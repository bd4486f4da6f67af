import "server-only";
import { sql } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import type { Tx } from "@/lib/db/scope";

export type DirectoryTrust = { id: string; odsCode: string; name: string; status: string };

/**
 * Every trust of the consortium (id, ODS code, name, status), whatever the caller's scope: a policy
 * names target trusts that row-level security hides from its author. Read through a narrow
 * SECURITY DEFINER function that exposes nothing else of a trust.
 */
export async function trustDirectory(tx: Tx): Promise<DirectoryTrust[]> {
  const rows = rowsOf<{ id: string; ods_code: string; name: string; status: string }>(await tx.execute(sql`select id, ods_code, name, status from mosaic_trust_directory()`));
  return rows.map((r) => ({ id: r.id, odsCode: r.ods_code, name: r.name, status: r.status }));
}

/** The directory keyed by ODS code and by id. */
export async function trustMaps(tx: Tx) {
  const list = await trustDirectory(tx);
  return { list, byOds: new Map(list.map((t) => [t.odsCode, t])), byId: new Map(list.map((t) => [t.id, t])) };
}
