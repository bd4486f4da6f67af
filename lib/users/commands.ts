import "server-only";
import { z } from "zod";
import { and, eq, gt, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import { departments, roleAssignments, userSessions, users } from "@/db/schema";
import { roleFor, trustsWhere, type Ctx } from "@/lib/auth/context";
import { clinicalRoles, type Role } from "@/lib/vocabulary";
import { actorOf, diffOf, recordAuditEvent } from "@/lib/audit/record";
import { defineMutation, isUniqueViolation } from "@/lib/mutation";
import { withSystemScopeWithin, type Tx } from "@/lib/db/scope";
import { endOfLondonDay, londonDayStart, londonToday } from "@/lib/calendar";
import { AppError, notFound } from "@/lib/errors";
import { issuePasswordToken } from "@/lib/identity/password-links";
import { decideGrant } from "./grant-rule";
import { defaultJobRoleCode } from "./job-roles";
import { findUserFor } from "./queries";
import { leaveInTx } from "./leavers";
import { leavingDateInput, roleGrantInput, roleRevokeInput, suspendInput, userInput, type RoleGrantInput } from "./schemas";

const fieldError = (code: "VALIDATION" | "CONFLICT" | "FORBIDDEN", field: string, message: string) =>
  new AppError(code, message, { fieldErrors: { [field]: [message] } });

/**
 * A user the caller sees, or NOT_FOUND; never the caller (FORBIDDEN). Their home trust is where the
 * permission users.write is checked (lib/mutation.ts).
 */
async function manageableUser(tx: Tx, ctx: Ctx, { params }: { params: { userId: string } }) {
  const user = await findUserFor(tx, ctx, params.userId);
  if (user.id === ctx.userId) throw new AppError("FORBIDDEN", "You cannot change your own account here; ask another manager.");
  return { trustId: user.homeTrustId, user };
}

const manageRefusal = "Only a PACS manager of this person's home trust can change their account.";
const userParams = z.object({ userId: z.string() });
/** The contract of a change to one person's account, beside what each change does. */
const userChange = { permission: "users.write", refusal: manageRefusal, params: userParams, locate: manageableUser } as const;

/** Checks that the caller may give this person a home trust (one they manage, or none: administrators only). */
function checkHomeTrust(ctx: Ctx, homeTrustId: string | undefined) {
  const writable = trustsWhere(ctx, "users.write");
  if (homeTrustId ? !(writable.all || writable.trustIds.includes(homeTrustId)) : !writable.all) {
    throw fieldError("VALIDATION", "homeTrustId", "Choose one of the trusts whose users you manage.");
  }
}

const emailTaken = () => fieldError("CONFLICT", "email", "Someone already has an account with this email. Grant them a role instead.");

const createUserInput = userInput.extend({
  role: z.preprocess((v) => (v === "" ? undefined : v), roleGrantInput.shape.role.optional()),
  departmentId: roleGrantInput.shape.departmentId,
  jobRoleCode: roleGrantInput.shape.jobRoleCode,
  validFrom: z.preprocess((v) => (v === "" || v === undefined ? londonToday() : v), roleGrantInput.shape.validFrom),
  validUntil: roleGrantInput.shape.validUntil,
});

const createUserMutation = defineMutation({
  name: "users.create",
  permission: "users.write",
  input: createUserInput,
  audit: ["user.create", "role.grant", "user.password_link"],
  locate: (_tx, ctx, { data }) => {
    checkHomeTrust(ctx, data.homeTrustId);
    return { trustId: data.homeTrustId ?? null };
  },
  run: async ({ tx, ctx, data, audit }) => {
    const [existing] = await withSystemScopeWithin(tx, () => tx.select({ id: users.id }).from(users).where(eq(users.email, data.email)));
    if (existing) throw emailTaken();
    let user: { id: string } | undefined;
    try {
      [user] = await tx.insert(users).values({ name: data.name, email: data.email, homeTrustId: data.homeTrustId ?? null }).returning({ id: users.id });
    } catch (error) {
      if (isUniqueViolation(error, "users_email_key")) throw emailTaken();
      throw error;
    }
    if (!user) throw new Error("insert returned no row");
    await audit({ action: "user.create", target: { type: "user", id: user.id }, details: { after: { name: data.name, email: data.email, homeTrustId: data.homeTrustId ?? null } } });
    if (data.role) {
      await grantInTx(tx, ctx, { userId: user.id, status: "active" }, {
        role: data.role,
        trustId: data.homeTrustId,
        departmentId: data.departmentId,
        jobRoleCode: data.jobRoleCode,
        validFrom: data.validFrom,
        validUntil: data.validUntil,
      });
    }
    const link = await issuePasswordToken(tx, ctx, { id: user.id, homeTrustId: data.homeTrustId ?? null }, "invite");
    return { id: user.id, setPasswordToken: link.token, expiresAt: link.expiresAt };
  },
});

/**
 * Creates a person at a home trust the caller manages, with an optional first role there, and a
 * set-password link that is returned once (only its hash is kept).
 */
export const createUser = (ctx: Ctx, input: unknown) => createUserMutation(ctx, {}, input);

const updateUserMutation = defineMutation({
  ...userChange,
  name: "users.update",
  input: userInput,
  audit: ["user.update"],
  run: async ({ tx, ctx, data, found: { user }, audit }) => {
    if ((data.homeTrustId ?? null) !== user.homeTrustId) checkHomeTrust(ctx, data.homeTrustId);
    const after = { name: data.name, email: data.email, homeTrustId: data.homeTrustId ?? null };
    try {
      await tx.update(users).set({ ...after, updatedAt: new Date() }).where(eq(users.id, user.id));
    } catch (error) {
      if (isUniqueViolation(error, "users_email_key")) throw emailTaken();
      throw error;
    }
    await audit({ action: "user.update", target: { type: "user", id: user.id }, details: diffOf({ name: user.name, email: user.email, homeTrustId: user.homeTrustId }, after) });
    return { id: user.id };
  },
});

/** Changes a person's name, email or home trust. */
export const updateUser = (ctx: Ctx, userId: string, input: unknown) => updateUserMutation(ctx, { userId }, input);

/** Ends every open session of a person (they are signed out on their next click). Sessions are per person, so this widens scope. */
async function endSessionsOf(tx: Tx, userId: string, reason: string): Promise<number> {
  const ended = await withSystemScopeWithin(tx, () =>
    tx
      .update(userSessions)
      .set({ endedAt: new Date(), endReason: reason })
      .where(and(eq(userSessions.userId, userId), isNull(userSessions.endedAt)))
      .returning({ id: userSessions.id }),
  );
  return ended.length;
}

const noInput = z.object({});

/** Suspends a person for a reason (required, kept in their history): they cannot sign in, and any open session ends. */
const suspendUserMutation = defineMutation({
  ...userChange,
  name: "users.suspend",
  input: suspendInput,
  audit: ["user.suspend"],
  run: async ({ tx, data, found: { user }, audit }) => {
    if (user.status !== "active") throw new AppError("CONFLICT", `This account is ${user.status === "left" ? "of a leaver" : "already suspended"}.`);
    await tx.update(users).set({ status: "suspended", updatedAt: new Date() }).where(eq(users.id, user.id));
    const sessions = await endSessionsOf(tx, user.id, "user_suspended");
    await audit({ action: "user.suspend", target: { type: "user", id: user.id }, details: { before: { status: user.status }, after: { status: "suspended" }, reason: data.reason, endedSessions: sessions } });
    return { id: user.id };
  },
});

/** Suspends a person for a reason (required, kept in their history): they cannot sign in, and any open session ends. */
export const suspendUser = (ctx: Ctx, userId: string, input: unknown) => suspendUserMutation(ctx, { userId }, input);

const reactivateUserMutation = defineMutation({
  ...userChange,
  name: "users.reactivate",
  input: noInput,
  audit: ["user.reactivate"],
  run: async ({ tx, found: { user }, audit }) => {
    if (user.status === "active") throw new AppError("CONFLICT", "This account is already active.");
    await tx.update(users).set({ status: "active", updatedAt: new Date() }).where(eq(users.id, user.id));
    await audit({ action: "user.reactivate", target: { type: "user", id: user.id }, details: { before: { status: user.status }, after: { status: "active" } } });
    return { id: user.id };
  },
});

/** Makes a suspended person, or a returning leaver, active again (their ended roles stay ended). */
export const reactivateUser = (ctx: Ctx, userId: string) => reactivateUserMutation(ctx, { userId }, {});

const markLeaverMutation = defineMutation({
  ...userChange,
  name: "users.leaver",
  input: noInput,
  audit: ["user.leaver", "role.revoke"],
  run: async ({ tx, ctx, found: { user } }) => {
    if (user.status === "left") throw new AppError("CONFLICT", "This person is already marked as a leaver.");
    // leaveInTx records user.leaver in the home trust's chain and a role.revoke in each role's trust's chain.
    const ended = await leaveInTx(tx, user, { actor: actorOf(ctx, roleFor(ctx, "users.write", user.homeTrustId)), revokedBy: ctx.userId, client: ctx.client });
    return { id: user.id, ...ended };
  },
});

const setLeavingDateMutation = defineMutation({
  ...userChange,
  name: "users.leaving_date",
  input: leavingDateInput,
  audit: ["user.leaving_date_set", "user.leaving_date_cleared"],
  run: async ({ tx, data, found: { user }, audit }) => {
    if (user.status === "left") throw new AppError("CONFLICT", "This person has already left.");
    const leavesAt = data.lastDay ? endOfLondonDay(data.lastDay) : null;
    if (leavesAt && leavesAt <= new Date()) {
      throw fieldError("VALIDATION", "lastDay", "This day has already ended: use Mark as leaver to end their access now.");
    }
    if (!leavesAt && !user.leavesAt) throw fieldError("VALIDATION", "lastDay", "Enter their last working day.");
    await tx.update(users).set({ leavesAt, updatedAt: new Date() }).where(eq(users.id, user.id));
    const details = { before: { leavesAt: user.leavesAt?.toISOString() ?? null }, after: { leavesAt: leavesAt?.toISOString() ?? null } };
    const target = { type: "user", id: user.id };
    if (leavesAt) await audit({ action: "user.leaving_date_set", target, details });
    else await audit({ action: "user.leaving_date_cleared", target, details });
    return { id: user.id, leavesAt };
  },
});

/**
 * Sets (or, with an empty last day, clears) the day a person leaves: they stay active until the end
 * of that London day, then become a leaver as "mark as leaver" makes them (lib/users/leavers.ts),
 * at their next sign-in or request and by the jobs runner. Their home trust's manager decides.
 */
export const setLeavingDate = (ctx: Ctx, userId: string, input: unknown) => setLeavingDateMutation(ctx, { userId }, input);

/**
 * Marks a person as a leaver: their status becomes "left", and at once every role they hold at any
 * trust ends, every session ends and every unused set-password link dies. The home trust's manager
 * decides; the person's roles at other trusts (rotations) end too, each audited in that trust's chain.
 */
export const markLeaver = (ctx: Ctx, userId: string) => markLeaverMutation(ctx, { userId }, {});

const unlockUserMutation = defineMutation({
  ...userChange,
  name: "users.unlock",
  input: noInput,
  audit: ["auth.unlocked"],
  run: async ({ tx, found: { user }, audit }) => {
    if (!user.lockedUntil || user.lockedUntil <= new Date()) throw new AppError("CONFLICT", "This account is not locked.");
    await tx.update(users).set({ lockedUntil: null, failedSignIns: 0, updatedAt: new Date() }).where(eq(users.id, user.id));
    await audit({
      action: "auth.unlocked",
      target: { type: "user", id: user.id },
      details: { reason: "by_manager", before: { lockedUntil: user.lockedUntil.toISOString() }, after: { lockedUntil: null } },
    });
    return { id: user.id };
  },
});

/** Lifts a lockout after repeated failed sign-ins (the lock's end is audited). */
export const unlockUser = (ctx: Ctx, userId: string) => unlockUserMutation(ctx, { userId }, {});

const createPasswordResetLinkMutation = defineMutation({
  ...userChange,
  name: "users.password_link",
  input: noInput,
  // issuePasswordToken records it (lib/identity/password-links.ts), as it does for an invitation.
  audit: ["user.password_link"],
  run: async ({ tx, ctx, found: { user } }) => {
    if (user.status !== "active") throw new AppError("CONFLICT", "Reactivate the account before making a set-password link.");
    const link = await issuePasswordToken(tx, ctx, user, "reset");
    return { id: user.id, setPasswordToken: link.token, expiresAt: link.expiresAt };
  },
});

/** Makes a new single-use set-password link for a person (a reset); earlier unused links die. */
export const createPasswordResetLink = (ctx: Ctx, userId: string) => createPasswordResetLinkMutation(ctx, { userId }, {});

type GrantFields = Omit<RoleGrantInput, "userId" | "email">;

/**
 * Grants a role inside the caller's transaction after every rule: the grant rule (grant-rule.ts),
 * a trust in the caller's reach, a department of that trust, a job-role code only on clinical
 * roles, a window that has not already ended, and no overlapping grant of the same role there.
 * Returns "exists" when an identical grant is already in force (imports are idempotent).
 */
export async function grantInTx(
  tx: Tx,
  ctx: Ctx,
  grantee: { userId: string; status: string },
  data: GrantFields,
  opts: { identicalIsNoop?: boolean } = {},
): Promise<{ id: string; created: boolean }> {
  const trustId = data.trustId ?? null;
  const granting = trustsWhere(ctx, "roles.grant");
  if (trustId && !granting.all && !granting.trustIds.includes(trustId)) {
    throw fieldError("VALIDATION", "trustId", "Choose one of the trusts where you grant roles.");
  }
  const decision = decideGrant(ctx, { userId: grantee.userId, role: data.role, trustId });
  if (!decision.allowed) throw fieldError("FORBIDDEN", "role", decision.reason);
  if (grantee.status === "left") throw fieldError("CONFLICT", "role", "This person has left; reactivate them first.");

  if (data.departmentId) {
    if (!trustId) throw fieldError("VALIDATION", "departmentId", "A consortium-wide role has no department.");
    const [dept] = await tx.select({ id: departments.id }).from(departments).where(and(eq(departments.trustId, trustId), eq(departments.id, data.departmentId)));
    if (!dept) throw fieldError("VALIDATION", "departmentId", "Choose a department of this trust.");
  }
  const isClinical = (clinicalRoles as readonly string[]).includes(data.role);
  if (!isClinical && data.jobRoleCode) throw fieldError("VALIDATION", "jobRoleCode", "Only clinical roles carry a national job-role code.");
  const jobRoleCode = isClinical ? (data.jobRoleCode ?? defaultJobRoleCode[data.role as Role] ?? null) : null;

  const now = new Date();
  // A window runs from 00:00 London on its first day to 00:00 London after its last day (23:00 UTC
  // in summer), so a last day D is in force until the end of D as people in the UK live it.
  const validFrom = londonDayStart(data.validFrom);
  const validUntil = data.validUntil ? endOfLondonDay(data.validUntil) : null;
  if (validUntil && validUntil <= now) throw fieldError("VALIDATION", "validUntil", "This last day has already passed.");

  // Same role, same scope, overlapping window, not revoked.
  const overlapping = await tx
    .select({ id: roleAssignments.id, validFrom: roleAssignments.validFrom, validUntil: roleAssignments.validUntil, departmentId: roleAssignments.departmentId, jobRoleCode: roleAssignments.jobRoleCode })
    .from(roleAssignments)
    .where(
      and(
        eq(roleAssignments.userId, grantee.userId),
        eq(roleAssignments.role, data.role),
        trustId ? eq(roleAssignments.trustId, trustId) : isNull(roleAssignments.trustId),
        isNull(roleAssignments.revokedAt),
        or(isNull(roleAssignments.validUntil), gt(roleAssignments.validUntil, validFrom)),
        validUntil ? sql`${roleAssignments.validFrom} < ${validUntil.toISOString()}::timestamptz` : sql`true`,
      ),
    );
  const identical = overlapping.find(
    (o) => o.validFrom.getTime() === validFrom.getTime() && (o.validUntil?.getTime() ?? null) === (validUntil?.getTime() ?? null) && (o.departmentId ?? null) === (data.departmentId ?? null),
  );
  if (identical && opts.identicalIsNoop) return { id: identical.id, created: false };
  if (overlapping.length > 0) throw fieldError("CONFLICT", "validFrom", "This person already holds this role here for an overlapping period.");

  const [assignment] = await tx
    .insert(roleAssignments)
    .values({ userId: grantee.userId, role: data.role, trustId, departmentId: data.departmentId ?? null, jobRoleCode, validFrom, validUntil, grantedBy: ctx.userId })
    .returning({ id: roleAssignments.id });
  if (!assignment) throw new Error("insert returned no row");
  await recordAuditEvent(tx, {
    action: "role.grant",
    actor: actorOf(ctx, decision.via),
    sourceTrustId: trustId,
    target: { type: "user", id: grantee.userId },
    details: {
      assignmentId: assignment.id,
      after: { role: data.role, trustId, departmentId: data.departmentId ?? null, jobRoleCode, validFrom: validFrom.toISOString(), validUntil: validUntil?.toISOString() ?? null },
    },
    client: ctx.client,
  });
  return { id: assignment.id, created: true };
}

/** Finds a person by exact email anywhere in the consortium (to grant a rotation at another trust); no partial matches. */
async function findGranteeByEmail(tx: Tx, email: string) {
  const [person] = await withSystemScopeWithin(tx, () => tx.select({ userId: users.id, status: users.status }).from(users).where(eq(users.email, email)));
  return person ?? null;
}

const grantRoleMutation = defineMutation({
  name: "roles.grant",
  permission: "roles.grant",
  refusal: "You cannot grant roles.",
  input: roleGrantInput,
  audit: ["role.grant"],
  locate: async (tx, ctx, { data }) => {
    const granting = trustsWhere(ctx, "roles.grant");
    if (!granting.all && granting.trustIds.length === 0) throw new AppError("FORBIDDEN", "You cannot grant roles.");
    let grantee: { userId: string; status: string };
    if (data.userId) {
      const user = await findUserFor(tx, ctx, data.userId);
      grantee = { userId: user.id, status: user.status };
    } else {
      const person = await findGranteeByEmail(tx, data.email ?? "");
      if (!person) throw fieldError("VALIDATION", "email", "No one has an account with this email. Create the person instead.");
      grantee = person;
    }
    const trustId = data.trustId ?? null;
    // A choice of trust outside the caller's reach, or a rule the grant breaks, is named beside its field.
    if (trustId && !granting.all && !granting.trustIds.includes(trustId)) throw fieldError("VALIDATION", "trustId", "Choose one of the trusts where you grant roles.");
    const decision = decideGrant(ctx, { userId: grantee.userId, role: data.role, trustId });
    if (!decision.allowed) throw fieldError("FORBIDDEN", "role", decision.reason);
    return { trustId, grantee };
  },
  run: async ({ tx, ctx, data, found: { grantee } }) => {
    // grantInTx records role.grant, as it does for each row of an import.
    const assignment = await grantInTx(tx, ctx, grantee, data);
    return { id: assignment.id, userId: grantee.userId };
  },
});

/**
 * Grants a role with a validity window, to a person by id (whom the caller can see) or by exact
 * email (someone from another trust, e.g. a rotation).
 */
export const grantRole = (ctx: Ctx, input: unknown) => grantRoleMutation(ctx, {}, input);

const revokeRoleMutation = defineMutation({
  name: "roles.revoke",
  permission: "roles.grant",
  refusal: "You cannot end roles here.",
  input: roleRevokeInput,
  audit: ["role.revoke"],
  locate: async (tx, ctx, { data }) => {
    // Row-level security hides assignments of other trusts; the grant rule decides the rest.
    const [assignment] = await tx
      .select({ id: roleAssignments.id, userId: roleAssignments.userId, role: roleAssignments.role, trustId: roleAssignments.trustId, validFrom: roleAssignments.validFrom, validUntil: roleAssignments.validUntil, revokedAt: roleAssignments.revokedAt })
      .from(roleAssignments)
      .where(and(eq(roleAssignments.id, data.assignmentId), trustScopeOf(ctx)));
    if (!assignment) throw notFound("No such role assignment.");
    await findUserFor(tx, ctx, assignment.userId);
    return { trustId: assignment.trustId, assignment };
  },
  run: async ({ tx, ctx, found: { assignment }, audit }) => {
    const decision = decideGrant(ctx, { userId: assignment.userId, role: assignment.role, trustId: assignment.trustId });
    if (!decision.allowed) throw new AppError("FORBIDDEN", decision.reason);
    const now = new Date();
    if (assignment.revokedAt || (assignment.validUntil && assignment.validUntil <= now)) throw new AppError("CONFLICT", "This role has already ended.");
    await tx.update(roleAssignments).set({ revokedAt: now, revokedBy: ctx.userId }).where(eq(roleAssignments.id, assignment.id));
    await audit({
      action: "role.revoke",
      role: decision.via,
      target: { type: "user", id: assignment.userId },
      details: { assignmentId: assignment.id, role: assignment.role, trustId: assignment.trustId, before: { revokedAt: null }, after: { revokedAt: now.toISOString() } },
    });
    return { id: assignment.id, userId: assignment.userId };
  },
});

/** Ends a role assignment now (kept, marked revoked), under the same rule as granting it. */
export const revokeRole = (ctx: Ctx, input: unknown) => revokeRoleMutation(ctx, {}, input);

function trustScopeOf(ctx: Ctx) {
  const granting = trustsWhere(ctx, "roles.grant");
  if (granting.all) return sql`true`;
  return granting.trustIds.length ? inArray(roleAssignments.trustId, granting.trustIds) : sql`false`;
}

const resetMfaMutation = defineMutation({
  ...userChange,
  name: "users.mfa_reset",
  input: noInput,
  audit: ["auth.mfa_reset"],
  run: async ({ tx, found: { user }, audit }) => {
    const [cleared] = await tx
      .update(users)
      .set({ totpSecret: null, totpConfirmedAt: null, totpLastStep: null, recoveryCodeHashes: [], updatedAt: new Date() })
      .where(and(eq(users.id, user.id), isNotNull(users.totpConfirmedAt)))
      .returning({ id: users.id });
    if (!cleared) throw new AppError("CONFLICT", "This person has no second factor set up.");
    await audit({ action: "auth.mfa_reset", target: { type: "user", id: user.id }, details: { before: { mfa: "totp" }, after: { mfa: null } } });
    return { id: user.id };
  },
});

/** Clears a person's second factor (a lost phone): they set it up again at their next sign-in. */
export const resetMfa = (ctx: Ctx, userId: string) => resetMfaMutation(ctx, { userId }, {});
