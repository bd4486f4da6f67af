import "server-only";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { env } from "@/lib/env";

// Seals small secrets at rest (TOTP keys) with AES-256-GCM under a key derived from AUTH_SECRET,
// so that a copy of the database alone does not give anyone a person's second factor.
function key(): Buffer {
  return createHash("sha256").update(`mosaic-secret-box-v1|${env().AUTH_SECRET ?? "development-only-not-secret"}`).digest();
}

/** Encrypts `plain` to "v1:<base64url(iv | tag | ciphertext)>". */
export function seal(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
}

/** Decrypts what `seal` made; null when it was tampered with or sealed under another key. */
export function open(sealed: string): string | null {
  if (!sealed.startsWith("v1:")) return null;
  try {
    const raw = Buffer.from(sealed.slice(3), "base64url");
    const decipher = createDecipheriv("aes-256-gcm", key(), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
