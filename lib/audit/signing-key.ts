import "server-only";
// The key that signs audit checkpoints. It lives outside the database (whoever can rewrite the
// database must not also be able to re-sign): AUDIT_SIGNING_KEY holds an Ed25519 private key as
// PKCS8 PEM (`openssl genpkey -algorithm ed25519`); for the demo only, a key is generated once into
// .data/audit-signing-key, as AUTH_SECRET is. Only the public half ever leaves the process, as a JWK.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { calculateJwkThumbprint, exportJWK, type JWK } from "jose";
import { z } from "zod";

/** The key that signs, and every public key that checks checkpoints: its own, then those of keys it replaced. */
export type SigningKey = { privateKey: KeyObject; publicJwk: JWK; keyId: string; verifyingJwks: JWK[] };

const retiredKeys = z.array(
  z
    .object({ kty: z.literal("OKP"), crv: z.literal("Ed25519"), x: z.string().min(40), kid: z.string().min(1), d: z.undefined({ error: "holds a private key: give only the public key" }).optional() })
    .transform(({ kty, crv, x, kid }): JWK => ({ kty, crv, x, kid, alg: "EdDSA", use: "sig" })),
);

/**
 * The public keys of signing keys used before this one, so that their checkpoints still verify and
 * checkpointing goes on after a key is replaced: AUDIT_RETIRED_PUBLIC_KEYS, a JSON array of the
 * JWKs `npm run audit:checkpoint -- --public-key <file>` wrote while each key was in use. From the
 * environment, as the key is: a public key read from the database would let whoever can rewrite
 * the database vouch for their own signatures.
 */
function retiredPublicKeys(): JWK[] {
  const value = process.env.AUDIT_RETIRED_PUBLIC_KEYS?.trim();
  if (!value) return [];
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new Error("AUDIT_RETIRED_PUBLIC_KEYS is not JSON: give an array of public JWKs.");
  }
  const parsed = retiredKeys.safeParse(Array.isArray(json) ? json : [json]);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`AUDIT_RETIRED_PUBLIC_KEYS, key ${issue?.path.join(".") || "?"}: ${issue?.message ?? "not a public Ed25519 JWK"}.`);
  }
  return parsed.data;
}

/** Where the demo key is kept (beside the embedded database). */
export const demoSigningKeyFile = () => path.resolve(/*turbopackIgnore: true*/ process.env.MOSAIC_DATA_DIR ?? ".data", "audit-signing-key");

/** A public key as an outside auditor receives it: JWK with its id (RFC 7638 thumbprint) and use. */
async function publicJwkOf(key: KeyObject): Promise<JWK> {
  const jwk = await exportJWK(createPublicKey(key));
  const kid = await calculateJwkThumbprint(jwk, "sha256");
  return { ...jwk, kid, alg: "EdDSA", use: "sig" };
}

/** Reads a PKCS8 PEM Ed25519 private key (an env value may carry its newlines as "\n"). */
export async function signingKeyFromPem(pem: string): Promise<SigningKey> {
  const privateKey = createPrivateKey(pem.replace(/\\n/g, "\n"));
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error("The audit signing key must be an Ed25519 key (openssl genpkey -algorithm ed25519).");
  const publicJwk = await publicJwkOf(privateKey);
  const retired = retiredPublicKeys().filter((k) => k.kid !== publicJwk.kid);
  return { privateKey, publicJwk, keyId: publicJwk.kid as string, verifyingJwks: [publicJwk, ...retired] };
}

/** A new Ed25519 private key as PKCS8 PEM. */
export function generateSigningKeyPem(): string {
  return generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

/**
 * The checkpoint signing key: AUDIT_SIGNING_KEY, else the demo key file. With `create`, the demo
 * file is made when missing (never in production with DATABASE_URL, where the key must be given).
 * Without it, null when there is no key yet (verifying needs only the public key).
 */
export async function loadSigningKey(opts: { create: boolean }): Promise<SigningKey | null> {
  if (process.env.AUDIT_SIGNING_KEY) return signingKeyFromPem(process.env.AUDIT_SIGNING_KEY);
  const file = demoSigningKeyFile();
  if (!fs.existsSync(file)) {
    if (!opts.create) return null;
    if (process.env.NODE_ENV === "production" && process.env.DATABASE_URL) {
      throw new Error("AUDIT_SIGNING_KEY is required when NODE_ENV=production and DATABASE_URL is set (openssl genpkey -algorithm ed25519).");
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, generateSigningKeyPem(), { mode: 0o600, flag: "wx" });
    } catch (error) {
      // Another process made it first (two servers starting at once): use theirs.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  return signingKeyFromPem(fs.readFileSync(file, "utf8"));
}
