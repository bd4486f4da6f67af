import { createHash } from "node:crypto";
import { canonicalEncode, type ChainedFields } from "./canonical";

/** The hash before the first event of every chain. */
export const genesisHash = "0".repeat(64);

/** hash(n) = SHA-256(hash(n-1) ‖ canonical(event n)), hex. */
export function chainHash(prevHash: string, event: ChainedFields): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalEncode(event)).digest("hex");
}

/** The chain an event belongs to: its source trust's, or the consortium's. */
export function chainOf(trustId: string | null | undefined): string {
  return trustId ?? "consortium";
}
