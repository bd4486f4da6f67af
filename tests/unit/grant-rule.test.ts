import { describe, expect, it } from "vitest";
import type { ActiveRole } from "@/lib/auth/context";
import { decideGrant, grantableRoles } from "@/lib/users/grant-rule";

const A = "trust-a";
const B = "trust-b";
const me = "user-granter";
const other = "user-other";

const admin: ActiveRole[] = [{ role: "consortium_admin", trustId: null }];
const pacsA: ActiveRole[] = [{ role: "pacs_manager", trustId: A }];
const pacsAIgA: ActiveRole[] = [...pacsA, { role: "ig_officer", trustId: A }];
const pacsAIgConsortium: ActiveRole[] = [...pacsA, { role: "ig_officer", trustId: null }];
const igA: ActiveRole[] = [{ role: "ig_officer", trustId: A }];
const cioAll: ActiveRole[] = [{ role: "cio", trustId: null }];
const pacsConsortium: ActiveRole[] = [{ role: "pacs_manager", trustId: null }];

// [who, their roles, grantee, role, scope, allowed]
const table: [string, ActiveRole[], string, string, string | null, boolean][] = [
  ["admin", admin, other, "radiologist", A, true],
  ["admin", admin, other, "pacs_manager", B, true],
  ["admin", admin, other, "ig_officer", null, true],
  ["admin", admin, other, "consortium_admin", null, true],
  ["admin", admin, other, "consortium_admin", A, false], // never at one trust
  ["admin", admin, me, "radiologist", A, false], // never to themselves
  ["admin", admin, other, "no_such_role", A, false],
  ["pacs A", pacsA, other, "radiologist", A, true],
  ["pacs A", pacsA, other, "reporting_radiographer", A, true],
  ["pacs A", pacsA, other, "radiographer", A, true],
  ["pacs A", pacsA, other, "clinician", A, true],
  ["pacs A", pacsA, other, "mdt_coordinator", A, true],
  ["pacs A", pacsA, other, "radiologist", B, false], // another trust
  ["pacs A", pacsA, other, "radiologist", null, false], // consortium-wide
  ["pacs A", pacsA, other, "pacs_manager", A, true], // a portal role they hold there
  ["pacs A", pacsA, other, "pacs_manager", B, false],
  ["pacs A", pacsA, other, "ig_officer", A, false], // a portal role they do not hold
  ["pacs A", pacsA, other, "cio", A, false],
  ["pacs A", pacsA, other, "consortium_admin", null, false],
  ["pacs A", pacsA, me, "radiologist", A, false], // never to themselves
  ["pacs A", pacsA, me, "pacs_manager", A, false],
  ["pacs A + IG A", pacsAIgA, other, "ig_officer", A, true],
  ["pacs A + IG consortium", pacsAIgConsortium, other, "ig_officer", A, true],
  ["pacs A + IG consortium", pacsAIgConsortium, other, "ig_officer", null, false],
  ["pacs A + IG consortium", pacsAIgConsortium, other, "ig_officer", B, false],
  ["IG A", igA, other, "radiologist", A, false], // an IG officer grants nothing
  ["CIO consortium", cioAll, other, "radiologist", A, false],
  ["pacs consortium-wide", pacsConsortium, other, "radiologist", A, false], // a trust role, not a consortium one
  ["nobody", [], other, "radiologist", A, false],
];

describe("the grant rule", () => {
  it.each(table)("%s granting %s… (%#)", (_who, roles, grantee, role, trustId, allowed) => {
    const decision = decideGrant({ userId: me, roles }, { userId: grantee, role, trustId });
    expect(decision.allowed).toBe(allowed);
    if (!decision.allowed) expect(decision.reason).toMatch(/\w/);
  });

  it("lists what a PACS manager may grant at their trust", () => {
    expect(grantableRoles({ userId: me, roles: pacsA }, other, A)).toEqual(["pacs_manager", "radiologist", "reporting_radiographer", "radiographer", "clinician", "mdt_coordinator"]);
    expect(grantableRoles({ userId: me, roles: pacsA }, other, B)).toEqual([]);
    expect(grantableRoles({ userId: me, roles: pacsA }, me, A)).toEqual([]);
  });
});
