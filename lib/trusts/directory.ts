import "server-only";
import { sql } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import type { Tx } from "@/lib/db/scope";

export type DirectoryTrust = { id: string; odsCode: string; name: string; status: string };

/** Every member trust's ODS code and name (public reference data), whatever the caller's scope. */
export async function trustDirectory(tx: Tx): Promise<DirectoryTrust[]> {
  const rows = rowsOf<{ id: string; ods_code: string; name: string; status: string }>(await tx.execute(sql`select * from mosaic_trust_directory()`));
  return rows.map((r) => ({ id: r.id, odsCode: r.ods_code, name: r.name, status: r.status }));
}
