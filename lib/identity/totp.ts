import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { generate, generateSecret, generateURI } from "otplib";

/** TOTP as authenticator apps do it (RFC 6238): SHA-1, 6 digits, 30-second steps. */
const totpPeriod = 30;

export function newTotpSecret(): string {
  return generateSecret();
}

/** The otpauth:// address an authenticator app reads from the QR code. */
export function totpUri(secret: string, account: string): string {
  return generateURI({ issuer: "Mosaic", label: account, secret });
}

export const stepAt = (date: Date) => Math.floor(date.getTime() / 1000 / totpPeriod);

/** The code for a time step (tests and the enrolment check use it). */
export function totpCode(secret: string, step: number): Promise<string> {
  return generate({ secret, epoch: step * totpPeriod });
}

/**
 * The time step a code belongs to, allowing one step of clock drift either way, or null. The
 * caller refuses a step at or before the last one accepted, so a code works once.
 */
export async function matchTotp(secret: string, code: string, now = new Date()): Promise<number | null> {
  const given = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(given)) return null;
  const current = stepAt(now);
  for (const step of [current - 1, current, current + 1]) {
    const expected = await totpCode(secret, step);
    if (timingSafeEqual(Buffer.from(expected), Buffer.from(given))) return step;
  }
  return null;
}

const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i

/** Ten single-use recovery codes like "k7mq-2x9t-pv4c", to show once. */
export function newRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(12);
    const chars = [...bytes].map((b) => recoveryAlphabet[b % recoveryAlphabet.length]).join("");
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  });
}

/** The stored form of a recovery code: SHA-256 of its normalised text. */
export function hashRecoveryCode(code: string): string {
  return createHash("sha256").update(code.trim().toLowerCase().replace(/[\s-]/g, "")).digest("hex");
}
