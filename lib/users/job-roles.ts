import type { Role } from "@/lib/vocabulary";

/**
 * NHS national RBAC baseline job-role codes carried by clinical role assignments, so that the role
 * a person selects at an NHS CIS2 sign-in can be matched to a role assignment here and the code
 * can be written into audit events. Portal roles have no national code.
 */
const nationalJobRoles = {
  R8000: "Clinical Practitioner Access Role",
  R8001: "Nurse Access Role",
  R8003: "Health Professional Access Role",
  R8004: "Healthcare Student Access Role",
  R8008: "Admin/Clinical Support Access Role",
} as const;
export type NationalJobRoleCode = keyof typeof nationalJobRoles;

/** The code a clinical role carries unless the manager picks another one. */
export const defaultJobRoleCode: Partial<Record<Role, NationalJobRoleCode>> = {
  radiologist: "R8000",
  clinician: "R8000",
  reporting_radiographer: "R8003",
  radiographer: "R8003",
  mdt_coordinator: "R8008",
};

export const jobRoleCodePattern = /^R[0-9]{4}$/;

/** The label of a national job-role code, or the code itself when it is not one we name. */
export function jobRoleLabel(code: string | null): string | null {
  if (!code) return null;
  return Object.hasOwn(nationalJobRoles, code) ? `${code} ${nationalJobRoles[code as NationalJobRoleCode]}` : code;
}
