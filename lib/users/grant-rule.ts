import type { ActiveRole } from "@/lib/auth/context";
import { clinicalRoles, portalRoles, roles, type Role } from "@/lib/vocabulary";

/**
 * Who may grant (or revoke) which role at which scope. One row per way of being allowed; a grant
 * no row allows is refused. Nobody grants or revokes their own roles (segregation of duties).
 *
 * | granter holds                  | may grant                                 | at                      |
 * | ------------------------------ | ----------------------------------------- | ----------------------- |
 * | consortium_admin, consortium   | any role                                  | any trust or consortium |
 * | pacs_manager at trust T        | clinical roles                            | trust T only            |
 * | pacs_manager at trust T        | portal roles they hold at T or consortium | trust T only            |
 *
 * `consortium_admin` exists only consortium-wide; no one grants it at a trust.
 */
const grantRules = [
  { granter: "consortium_admin", granterScope: "consortium", grants: "any_role", at: "any_scope" },
  { granter: "pacs_manager", granterScope: "trust", grants: "clinical_role", at: "granter_trust" },
  { granter: "pacs_manager", granterScope: "trust", grants: "portal_role_held", at: "granter_trust" },
] as const satisfies readonly GrantRule[];

type GrantRule = {
  granter: Role;
  granterScope: "consortium" | "trust";
  grants: "any_role" | "clinical_role" | "portal_role_held";
  at: "any_scope" | "granter_trust";
};

export type Granter = { userId: string; roles: readonly ActiveRole[] };
export type GrantTarget = { userId: string; role: string; trustId: string | null };
export type GrantDecision = { allowed: true; via: Role } | { allowed: false; reason: string };

const isRole = (r: string): r is Role => (roles as readonly string[]).includes(r);
const isClinical = (r: string) => (clinicalRoles as readonly string[]).includes(r);
const isPortal = (r: string) => (portalRoles as readonly string[]).includes(r);

/** Decides whether `granter` may grant (or revoke) `target`, naming the rule's role or the reason not. */
export function decideGrant(granter: Granter, target: GrantTarget): GrantDecision {
  if (!isRole(target.role)) return { allowed: false, reason: "There is no such role." };
  if (target.role === "consortium_admin" && target.trustId !== null) {
    return { allowed: false, reason: "A consortium administrator's role covers the whole consortium, not one trust." };
  }
  if (target.userId === granter.userId) return { allowed: false, reason: "You cannot grant or revoke your own roles." };

  for (const rule of grantRules) {
    for (const held of granter.roles) {
      if (held.role !== rule.granter) continue;
      if (rule.granterScope === "consortium" ? held.trustId !== null : held.trustId === null) continue;
      if (rule.at === "granter_trust" && (target.trustId === null || target.trustId !== held.trustId)) continue;
      const roleAllowed =
        rule.grants === "any_role" ||
        (rule.grants === "clinical_role" && isClinical(target.role)) ||
        (rule.grants === "portal_role_held" &&
          isPortal(target.role) &&
          granter.roles.some((r) => r.role === target.role && (r.trustId === null || r.trustId === target.trustId)));
      if (roleAllowed) return { allowed: true, via: rule.granter };
    }
  }
  if (target.trustId === null) return { allowed: false, reason: "Only a consortium administrator can grant a consortium-wide role." };
  if (isPortal(target.role)) return { allowed: false, reason: "You can grant a portal role only at your own trust, and only one you hold yourself." };
  return { allowed: false, reason: "You can grant roles only at a trust where you are the PACS manager." };
}

/** The roles `granter` may grant at this scope (for the grant form's choices). */
export function grantableRoles(granter: Granter, granteeUserId: string, trustId: string | null): Role[] {
  return roles.filter((role) => decideGrant(granter, { userId: granteeUserId, role, trustId }).allowed);
}
