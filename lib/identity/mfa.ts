import "server-only";
import { and, eq, isNull, or, lt, sql } from "drizzle-orm";
import QRCode from "qrcode";
import { z } from "zod";
import { consortium, users } from "@/db/schema";
import { can, roleFor, type Ctx } from "@/lib/auth/context";
import { portalRoles } from "@/lib/vocabulary";
import { actorOf, recordAuditEvent } from "@/lib/audit/record";
import { withSystem, withTenant, type Tx } from "@/lib/db/scope";
import { AppError } from "@/lib/errors";
import { toResult } from "@/lib/result";
import { open, seal } from "./secret-box";
import { hashRecoveryCode, matchTotp, newRecoveryCodes, newTotpSecret, totpUri } from "./totp";

// A person's own second factor is theirs to set up whatever their roles, so these steps run with
// system scope and touch only the caller's own row (ctx.userId), never another's.

/** Does the consortium require a second factor of people who hold a portal role? */
export async function isMfaRequiredForPortalRoles(tx: Tx): Promise<boolean> {
  const [row] = await tx.select({ required: consortium.requireMfaForPortalRoles }).from(consortium).limit(1);
  return row?.required ?? false;
}

/** Must this person enrol before using the portal: the setting is on, they hold a portal role and have no confirmed TOTP. */
export function needsEnrolment(required: boolean, roles: readonly { role: string }[], totpConfirmed: boolean): boolean {
  return required && !totpConfirmed && roles.some((r) => (portalRoles as readonly string[]).includes(r.role));
}

/** The caller's second-factor state for the account page. */
export async function getMfaStatus(ctx: Ctx) {
  return withSystem(async (tx) => {
    const [row] = await tx
      .select({ confirmedAt: users.totpConfirmedAt, recoveryLeft: sql<number>`cardinality(${users.recoveryCodeHashes})` })
      .from(users)
      .where(eq(users.id, ctx.userId));
    const required = needsEnrolment(await isMfaRequiredForPortalRoles(tx), ctx.roles, false);
    return { enrolled: Boolean(row?.confirmedAt), confirmedAt: row?.confirmedAt ?? null, recoveryCodesLeft: Number(row?.recoveryLeft ?? 0), requiredForCaller: required };
  });
}

/**
 * Starts enrolment: a new secret, kept sealed and unconfirmed until the person proves their app
 * has it. Returns the secret (for typing in), the otpauth address and its QR code.
 */
export async function startMfaEnrolment(ctx: Ctx): Promise<{ secret: string; uri: string; qrDataUrl: string }> {
  const secret = newTotpSecret();
  await withSystem(async (tx) => {
    const [updated] = await tx
      .update(users)
      .set({ totpSecret: seal(secret), totpConfirmedAt: null, totpLastStep: null })
      .where(and(eq(users.id, ctx.userId), isNull(users.totpConfirmedAt)))
      .returning({ id: users.id });
    if (!updated) throw new AppError("CONFLICT", "Multi-factor sign-in is already set up. Ask your PACS manager to reset it if you lost your device.");
  });
  const uri = totpUri(secret, ctx.email);
  return { secret, uri, qrDataUrl: await QRCode.toDataURL(uri, { errorCorrectionLevel: "M", margin: 2, width: 240 }) };
}

const codeInput = z.object({ code: z.string({ error: "Enter the 6-digit code from your app." }).trim().regex(/^\d{3}\s?\d{3}$/, "Enter the 6-digit code from your app.") });

/** Confirms enrolment with a code from the app; returns ten recovery codes, shown once. */
export function confirmMfaEnrolment(ctx: Ctx, input: unknown) {
  return toResult(async () => {
    const parsed = codeInput.safeParse(input);
    if (!parsed.success) throw new AppError("VALIDATION", "Enter the 6-digit code from your app.", { fieldErrors: { code: ["Enter the 6-digit code from your app."] } });
    return withSystem(async (tx) => {
      const [row] = await tx.select({ sealed: users.totpSecret, confirmedAt: users.totpConfirmedAt, homeTrustId: users.homeTrustId }).from(users).where(eq(users.id, ctx.userId));
      const secret = row?.sealed ? open(row.sealed) : null;
      if (!row || row.confirmedAt || !secret) throw new AppError("CONFLICT", "Start setting up again.");
      const step = await matchTotp(secret, parsed.data.code);
      if (step === null) throw new AppError("VALIDATION", "That code is not right. Check the time on your device and try the newest code.", { fieldErrors: { code: ["That code is not right."] } });
      const codes = newRecoveryCodes();
      await tx.update(users).set({ totpConfirmedAt: new Date(), totpLastStep: step, recoveryCodeHashes: codes.map(hashRecoveryCode) }).where(eq(users.id, ctx.userId));
      await recordAuditEvent(tx, {
        action: "auth.mfa_enrolled",
        actor: actorOf(ctx, null),
        sourceTrustId: row.homeTrustId,
        target: { type: "user", id: ctx.userId },
        details: { method: "totp", recoveryCodes: codes.length },
        client: ctx.client,
      });
      return { recoveryCodes: codes };
    });
  });
}

/**
 * Checks a second factor at sign-in inside the sign-in transaction: a TOTP code not used before
 * (its step must be later than the last accepted), or an unused recovery code (removed as it is used).
 */
export async function checkSecondFactor(tx: Tx, user: { id: string; totpSecret: string | null; totpLastStep: number | null }, code: string): Promise<{ ok: true; method: "totp" | "recovery_code" } | { ok: false }> {
  const secret = user.totpSecret ? open(user.totpSecret) : null;
  if (secret) {
    const step = await matchTotp(secret, code);
    if (step !== null) {
      const [accepted] = await tx
        .update(users)
        .set({ totpLastStep: step })
        .where(and(eq(users.id, user.id), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
        .returning({ id: users.id });
      return accepted ? { ok: true, method: "totp" } : { ok: false };
    }
  }
  const hash = hashRecoveryCode(code);
  const [used] = await tx
    .update(users)
    .set({ recoveryCodeHashes: sql`array_remove(${users.recoveryCodeHashes}, ${hash})` })
    .where(and(eq(users.id, user.id), sql`${hash} = any(${users.recoveryCodeHashes})`))
    .returning({ id: users.id });
  return used ? { ok: true, method: "recovery_code" } : { ok: false };
}

/** Sets the consortium's requirement of a second factor for portal roles (consortium administrators). */
export function setMfaRequirement(ctx: Ctx, input: unknown) {
  return toResult(async () => {
    const parsed = z.object({ required: z.boolean() }).safeParse(input);
    if (!parsed.success) throw new AppError("VALIDATION", "Choose whether to require it.");
    if (!can(ctx, "settings.write", null)) throw new AppError("FORBIDDEN", "Only a consortium administrator can change this setting.");
    return withTenant(ctx, async (tx) => {
      const before = await isMfaRequiredForPortalRoles(tx);
      await tx.update(consortium).set({ requireMfaForPortalRoles: parsed.data.required });
      await recordAuditEvent(tx, {
        action: "settings.update",
        actor: actorOf(ctx, roleFor(ctx, "settings.write", null)),
        details: { before: { requireMfaForPortalRoles: before }, after: { requireMfaForPortalRoles: parsed.data.required } },
        client: ctx.client,
      });
      return { required: parsed.data.required };
    });
  });
}

/** Reads the consortium's requirement (for the settings page). */
export function getMfaRequirement(ctx: Ctx): Promise<boolean> {
  return withTenant(ctx, (tx) => isMfaRequiredForPortalRoles(tx));
}
