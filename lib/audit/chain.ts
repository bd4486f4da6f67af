import { hash } from "node:crypto";
import { canonicalEncode, type ChainedFields } from "./canonical";

/** The hash before the first event of every chain. */
export const genesisHash = "0".repeat(64);

/** hash(n) = SHA-256(hash(n-1) ‖ "\n" ‖ canonical(event n)), hex. */
export function chainHash(prevHash: string, event: ChainedFields): string {
  // One-shot hashing: no Hash object per event (this runs for every event ingested).
  return hash("sha256", `${prevHash}\n${canonicalEncode(event)}`, "hex");
}

/** The chain an event belongs to: its source trust's, or the consortium's. */
export function chainOf(trustId: string | null | undefined): string {
  return trustId ?? "consortium";
}
