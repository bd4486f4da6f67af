import { type Role } from "@/lib/vocabulary";

export const permissions = [
  "trusts.read",
  "trusts.create",
  "trusts.update",
  "sites.read",
  "sites.write",
  "studies.read",
  "users.read",
  "users.write",
  "roles.grant",
  "audit.read",
  "audit.export",
  "audit.verify",
  "alerts.work",
  "sharing.read",
  "sharing.write",
  "sharing.approve",
  "restrictions.write",
  "capacity.read",
  "quota.request",
  "quota.approve",
  "api_clients.manage",
  "settings.write",
] as const;
export type Permission = (typeof permissions)[number];

/** The one table from role to permissions. A role not listed here grants nothing. */
export const rolePermissions: Record<Role, readonly Permission[]> = {
  consortium_admin: [
    "trusts.read",
    "trusts.create",
    "trusts.update",
    "sites.read",
    "sites.write",
    "users.read",
    "users.write",
    "roles.grant",
    "audit.verify",
    "capacity.read",
    "api_clients.manage",
    "settings.write",
  ],
  pacs_manager: ["trusts.read", "sites.read", "sites.write", "studies.read", "users.read", "users.write", "roles.grant", "capacity.read", "quota.request"],
  ig_officer: [
    "trusts.read",
    "sites.read",
    "studies.read",
    "users.read",
    "audit.read",
    "audit.export",
    "audit.verify",
    "alerts.work",
    "sharing.read",
    "sharing.write",
    "sharing.approve",
    "restrictions.write",
  ],
  cio: ["trusts.read", "sites.read", "capacity.read", "quota.approve"],
  radiologist: [],
  reporting_radiographer: [],
  radiographer: [],
  clinician: [],
  mdt_coordinator: [],
};

/** Permissions of a role; unknown roles (a typo, a role removed from code) get nothing. */
export function permissionsOf(role: string): readonly Permission[] {
  return Object.hasOwn(rolePermissions, role) ? rolePermissions[role as Role] : [];
}
