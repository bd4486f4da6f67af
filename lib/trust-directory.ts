import "server-only";
import { sql } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import type { Tx } from "@/lib/db/scope";

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
