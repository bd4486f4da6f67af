import "server-only";
// The key that signs audit checkpoints. It lives outside the database (whoever can rewrite the
// database must not also be able to re-sign): AUDIT_SIGNING_KEY holds an Ed25519 private key as
// PKCS8 PEM (`openssl genpkey -algorithm ed25519`); for the demo only, a key is generated once into
// .data/audit-signing-key, as AUTH_SECRET is. Only the public half ever leaves the process, as a JWK.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { calculateJwkThumbprint, exportJWK, type JWK } from "jose";

export type SigningKey = { privateKey: KeyObject; publicJwk: JWK; keyId: string };

/** Where the demo key is kept (beside the embedded database). */
export const demoSigningKeyFile = () => path.resolve(/*turbopackIgnore: true*/ process.env.MOSAIC_DATA_DIR ?? ".data", "audit-signing-key");

/** A public key as an outside auditor receives it: JWK with its id (RFC 7638 thumbprint) and use. */
export async function publicJwkOf(key: KeyObject): Promise<JWK> {
  const jwk = await exportJWK(createPublicKey(key));
  const kid = await calculateJwkThumbprint(jwk, "sha256");
  return { ...jwk, kid, alg: "EdDSA", use: "sig" };
}

/** Reads a PKCS8 PEM Ed25519 private key (an env value may carry its newlines as "\n"). */
export async function signingKeyFromPem(pem: string): Promise<SigningKey> {
  const privateKey = createPrivateKey(pem.replace(/\\n/g, "\n"));
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error("The audit signing key must be an Ed25519 key (openssl genpkey -algorithm ed25519).");
  const publicJwk = await publicJwkOf(privateKey);
  return { privateKey, publicJwk, keyId: publicJwk.kid as string };
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
