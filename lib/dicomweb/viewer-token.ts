import "server-only";
// Short-lived bearer tokens for a viewer that cannot carry the portal's session cookie (a DICOMweb
// viewer on another origin, a command-line client): issued to a signed-in person, bound to their
// session, so that signing out, a suspension or the session's expiry ends the token with it. Only
// the DICOMweb gateway accepts them (audience), and only for VIEWER_TOKEN_MINUTES.
import { createHash, randomUUID } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { env } from "@/lib/env";

const audience = "mosaic-dicomweb";
const issuer = "mosaic";
export const viewerTokenMinutes = 15;

function key(): Uint8Array {
  const secret = env().AUTH_SECRET;
  if (!secret && process.env.NODE_ENV === "production") throw new Error("AUTH_SECRET is required to issue viewer tokens.");
  // A key of its own, derived from the deployment's secret: a session cookie cannot pass for a token.
  return createHash("sha256").update(`mosaic-viewer-token-v1|${secret ?? "development-only-not-secret"}`).digest();
}

/** A token for this person's session, valid for viewerTokenMinutes (or less, if the session ends first). */
export async function issueViewerToken(userId: string, sessionId: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
  const expiresAt = new Date(now.getTime() + viewerTokenMinutes * 60_000);
  const token = await new SignJWT({ sid: sessionId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .setJti(randomUUID())
    .sign(key());
  return { token, expiresAt };
}

const claims = z.object({ sub: z.uuid(), sid: z.uuid() });

/** The session a token was issued for, or null if it is not one of ours, altered or expired. */
export async function verifyViewerToken(token: string, now = new Date()): Promise<{ userId: string; sessionId: string } | null> {
  try {
    const { payload } = await jwtVerify(token, key(), { audience, issuer, algorithms: ["HS256"], currentDate: now });
    const parsed = claims.safeParse(payload);
    return parsed.success ? { userId: parsed.data.sub, sessionId: parsed.data.sid } : null;
  } catch {
    return null;
  }
}
