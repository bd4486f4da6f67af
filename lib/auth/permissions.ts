/** Every role Mosaic knows. Portal roles use the portal; clinical roles only appear in access decisions. */
export const portalRoles = ["consortium_admin", "pacs_manager", "ig_officer", "cio"] as const;
export const clinicalRoles = ["radiologist", "reporting_radiographer", "radiographer", "clinician", "mdt_coordinator"] as const;
export const roles = [...portalRoles, ...clinicalRoles] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  "trusts.read",
  "trusts.create",
  "trusts.update",
  "sites.read",
  "sites.write",
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
  pacs_manager: ["trusts.read", "sites.read", "sites.write", "users.read", "users.write", "roles.grant", "capacity.read", "quota.request"],
  ig_officer: [
    "trusts.read",
    "sites.read",
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

export const roleLabels: Record<Role, string> = {
  consortium_admin: "Consortium administrator",
  pacs_manager: "PACS manager",
  ig_officer: "Information governance officer",
  cio: "Chief information officer",
  radiologist: "Radiologist",
  reporting_radiographer: "Reporting radiographer",
  radiographer: "Radiographer",
  clinician: "Clinician",
  mdt_coordinator: "MDT coordinator",
};

/** Permissions of a role; unknown roles (a typo, a role removed from code) get nothing. */
export function permissionsOf(role: string): readonly Permission[] {
  return Object.hasOwn(rolePermissions, role) ? rolePermissions[role as Role] : [];
}
