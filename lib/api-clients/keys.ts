import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

// A key reads `mosaic_<prefix>_<secret>`: the prefix (10 characters) finds the row and is safe to
// show; the secret is 32 random bytes. Only SHA-256 of the whole key is stored.
const keyPattern = /^mosaic_([a-z2-7]{10})_([A-Za-z0-9_-]{43})$/;
const base32 = "abcdefghijklmnopqrstuvwxyz234567";

function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const b of bytes) out += base32[b % 32];
  return out;
}

/** A new API key and what is stored of it. */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBase32(10);
  const key = `mosaic_${prefix}_${randomBytes(32).toString("base64url")}`;
  return { key, prefix, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** The prefix of a well-formed key, or null. */
export function apiKeyPrefix(key: string): string | null {
  return keyPattern.exec(key)?.[1] ?? null;
}

/** Does this key match the stored hash? In constant time. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const a = Buffer.from(hashApiKey(key), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
