import "server-only";
import type { Tx } from "@/lib/db/scope";
import { trustDirectory } from "@/lib/trust-directory";

export type { DirectoryTrust } from "@/lib/trust-directory";

/** The public trust directory keyed by ODS code and by id (policies name trusts by ODS code). */
export async function trustMaps(tx: Tx) {
  const list = await trustDirectory(tx);
  return { list, byOds: new Map(list.map((t) => [t.odsCode, t])), byId: new Map(list.map((t) => [t.id, t])) };
}
