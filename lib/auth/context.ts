import { permissionsOf, type Permission } from "./permissions";
import type { Role } from "@/lib/vocabulary";

/** One active role of the caller: at a trust, or across the consortium when trustId is null. */
export type ActiveRole = { role: Role | string; trustId: string | null };

/** Who is calling, as every function of lib/ receives it first. */
export type Ctx = {
  userId: string;
  email: string;
  name: string;
  homeTrustId: string | null;
  sessionId: string | null;
  roles: readonly ActiveRole[];
  client: { ip: string | null; userAgent: string | null };
};

/**
 * May the caller do this at this trust? `trustId` null asks for consortium-wide permission, which
 * only a consortium-scoped role gives. Fails closed: unknown roles and empty contexts give false.
 */
export function can(ctx: Ctx, permission: Permission, trustId: string | null): boolean {
  return ctx.roles.some(
    (r) => (r.trustId === null || r.trustId === trustId) && permissionsOf(r.role).includes(permission),
  );
}

/** May the caller do this at some trust (used to show navigation)? */
export function canAnywhere(ctx: Ctx, permission: Permission): boolean {
  return ctx.roles.some((r) => permissionsOf(r.role).includes(permission));
}

/** The role that gives the caller this permission here, for the audit record. */
export function roleFor(ctx: Ctx, permission: Permission, trustId: string | null): string | null {
  const held = ctx.roles.find(
    (r) => (r.trustId === null || r.trustId === trustId) && permissionsOf(r.role).includes(permission),
  );
  return held?.role ?? null;
}

/** Row-level-security scope: every trust where the caller holds a role, or all of them. */
export function scopeOf(ctx: Ctx): { all: boolean; trustIds: string[] } {
  const all = ctx.roles.some((r) => r.trustId === null && permissionsOf(r.role).length > 0);
  const trustIds = [...new Set(ctx.roles.flatMap((r) => (r.trustId ? [r.trustId] : [])))];
  return { all, trustIds };
}

/** Trusts where the caller has this permission (all: a consortium-scoped role gives it). */
export function trustsWhere(ctx: Ctx, permission: Permission): { all: boolean; trustIds: string[] } {
  const granting = ctx.roles.filter((r) => permissionsOf(r.role).includes(permission));
  return {
    all: granting.some((r) => r.trustId === null),
    trustIds: [...new Set(granting.flatMap((r) => (r.trustId ? [r.trustId] : [])))],
  };
}
