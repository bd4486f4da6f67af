import "server-only";
import { and, eq, gt, inArray, isNull, lt, ne, sql } from "drizzle-orm";
import { roleAssignments } from "@/db/schema";
import { trustsWhere, type Ctx } from "@/lib/auth/context";
import { endOfLondonDay, lastLondonDayOf } from "@/lib/calendar";
import { defineMutation } from "@/lib/mutation";
import { AppError, notFound } from "@/lib/errors";
import { decideGrant } from "./grant-rule";
import { findUserFor } from "./queries";
import { roleExtendInput } from "./schemas";

const fieldError = (code: "VALIDATION" | "CONFLICT", message: string) => new AppError(code, message, { fieldErrors: { validUntil: [message] } });

/**
 * Moves a role's last day later (a rotation or contract that runs on): the PACS manager's "extend"
 * from roles ending soon. The same rule as granting the role decides who may; the new last day is
 * a London day, stored as the instant that day ends (lib/calendar), and may not run into a later
 * grant of the same role at the same trust. The old and new last days are audited.
 */
const extendRoleMutation = defineMutation({
  name: "roles.extend",
  permission: "roles.grant",
  refusal: "You cannot extend roles.",
  input: roleExtendInput,
  audit: ["role.extend"],
  locate: async (tx, ctx, { data }) => {
    const granting = trustsWhere(ctx, "roles.grant");
    // Assignments of trusts where the caller grants nothing are invisible here, as missing ones are.
    const scope = granting.all ? sql`true` : granting.trustIds.length ? inArray(roleAssignments.trustId, granting.trustIds) : sql`false`;
    const [assignment] = await tx
      .select({ id: roleAssignments.id, userId: roleAssignments.userId, role: roleAssignments.role, trustId: roleAssignments.trustId, validFrom: roleAssignments.validFrom, validUntil: roleAssignments.validUntil, revokedAt: roleAssignments.revokedAt })
      .from(roleAssignments)
      .where(and(eq(roleAssignments.id, data.assignmentId), scope));
    if (!assignment) throw notFound("No such role assignment.");
    const user = await findUserFor(tx, ctx, assignment.userId);
    const decision = decideGrant(ctx, { userId: assignment.userId, role: assignment.role, trustId: assignment.trustId });
    if (!decision.allowed) throw new AppError("FORBIDDEN", decision.reason);
    return { trustId: assignment.trustId, assignment, user, via: decision.via };
  },
  run: async ({ tx, data, found: { assignment, user, via }, audit }) => {
    if (user.status === "left") throw new AppError("CONFLICT", "This person has left; reactivate them and grant the role again.");
    const now = new Date();
    if (assignment.revokedAt || (assignment.validUntil && assignment.validUntil <= now)) throw new AppError("CONFLICT", "This role has already ended; grant it again instead.");
    if (!assignment.validUntil) throw new AppError("CONFLICT", "This role has no last day to extend.");
    const validUntil = endOfLondonDay(data.validUntil);
    if (validUntil <= assignment.validUntil) {
      throw fieldError("VALIDATION", `Choose a day after the current last day, ${lastLondonDayOf(assignment.validUntil)}.`);
    }
    // A later grant of the same role here (the next rotation) that the extension would run into.
    const [later] = await tx
      .select({ id: roleAssignments.id, validFrom: roleAssignments.validFrom })
      .from(roleAssignments)
      .where(
        and(
          eq(roleAssignments.userId, assignment.userId),
          eq(roleAssignments.role, assignment.role),
          assignment.trustId ? eq(roleAssignments.trustId, assignment.trustId) : isNull(roleAssignments.trustId),
          ne(roleAssignments.id, assignment.id),
          isNull(roleAssignments.revokedAt),
          gt(roleAssignments.validFrom, assignment.validFrom),
          lt(roleAssignments.validFrom, validUntil),
        ),
      );
    if (later) throw fieldError("CONFLICT", "This person already holds this role here from a day before the new last day.");
    await tx.update(roleAssignments).set({ validUntil }).where(eq(roleAssignments.id, assignment.id));
    await audit({
      action: "role.extend",
      role: via,
      target: { type: "user", id: assignment.userId },
      details: {
        assignmentId: assignment.id,
        role: assignment.role,
        trustId: assignment.trustId,
        before: { validUntil: assignment.validUntil.toISOString() },
        after: { validUntil: validUntil.toISOString() },
      },
    });
    return { id: assignment.id, userId: assignment.userId, validUntil };
  },
});

export const extendRole = (ctx: Ctx, input: unknown) => extendRoleMutation(ctx, {}, input);
