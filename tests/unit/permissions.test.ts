import { describe, expect, it } from "vitest";
import { can, canAnywhere, scopeOf, trustsWhere, type Ctx } from "@/lib/auth/context";
import { permissions, permissionsOf, rolePermissions } from "@/lib/auth/permissions";
import { clinicalRoles, portalRoles, roles } from "@/lib/vocabulary";

const A = "00000000-0000-4000-8000-00000000000a";
const B = "00000000-0000-4000-8000-00000000000b";

function ctxWith(...assigned: { role: string; trustId: string | null }[]): Ctx {
  return { userId: "u", email: "u@test.example", name: "U", homeTrustId: A, sessionId: null, roles: assigned, client: { ip: null, userAgent: null } };
}

// The table itself, written out: a change to who may do what must change this test too.
const expected: Record<string, string[]> = {
  consortium_admin: ["trusts.read", "trusts.create", "trusts.update", "sites.read", "sites.write", "users.read", "users.write", "roles.grant", "audit.verify", "capacity.read", "api_clients.manage", "settings.write"],
  pacs_manager: ["trusts.read", "sites.read", "sites.write", "studies.read", "users.read", "users.write", "roles.grant", "capacity.read", "quota.request"],
  ig_officer: ["trusts.read", "sites.read", "studies.read", "users.read", "audit.read", "audit.export", "audit.verify", "alerts.work", "sharing.read", "sharing.write", "sharing.approve", "restrictions.write"],
  cio: ["trusts.read", "sites.read", "capacity.read", "quota.approve"],
};

describe("the permission table", () => {
  it.each(portalRoles)("gives %s exactly its permissions", (role) => {
    expect([...rolePermissions[role]].sort()).toEqual([...(expected[role] ?? [])].sort());
  });

  it.each(clinicalRoles)("gives the clinical role %s no portal permission", (role) => {
    expect(permissionsOf(role)).toEqual([]);
  });

  it("names only known permissions", () => {
    for (const role of roles) for (const p of rolePermissions[role]) expect(permissions).toContain(p);
  });

  it.each(["", "admin", "superuser", "constructor", "__proto__", "toString", "PACS_MANAGER"])("gives the unknown role %j nothing", (role) => {
    expect(permissionsOf(role)).toEqual([]);
    expect(can(ctxWith({ role, trustId: null }), "trusts.read", A)).toBe(false);
  });
});

describe("can()", () => {
  it("allows a trust-scoped role at its own trust only", () => {
    const ctx = ctxWith({ role: "pacs_manager", trustId: A });
    expect(can(ctx, "sites.write", A)).toBe(true);
    expect(can(ctx, "sites.write", B)).toBe(false);
    expect(can(ctx, "sites.write", null)).toBe(false);
    expect(can(ctx, "audit.read", A)).toBe(false);
  });

  it("allows a consortium-scoped role at every trust and at consortium level", () => {
    const ctx = ctxWith({ role: "consortium_admin", trustId: null });
    expect(can(ctx, "sites.write", A)).toBe(true);
    expect(can(ctx, "sites.write", B)).toBe(true);
    expect(can(ctx, "trusts.create", null)).toBe(true);
    expect(can(ctx, "sharing.approve", A)).toBe(false);
  });

  it("combines roles held at different trusts without mixing their permissions", () => {
    const ctx = ctxWith({ role: "pacs_manager", trustId: A }, { role: "cio", trustId: B });
    expect(can(ctx, "sites.write", A)).toBe(true);
    expect(can(ctx, "sites.write", B)).toBe(false);
    expect(can(ctx, "quota.approve", B)).toBe(true);
    expect(can(ctx, "quota.approve", A)).toBe(false);
    expect(canAnywhere(ctx, "quota.approve")).toBe(true);
    expect(trustsWhere(ctx, "sites.write")).toEqual({ all: false, trustIds: [A] });
  });

  it("fails closed for a caller with no roles", () => {
    const ctx = ctxWith();
    for (const p of permissions) expect(can(ctx, p, A)).toBe(false);
    expect(scopeOf(ctx)).toEqual({ all: false, trustIds: [] });
  });

  it("gives row-level scope over every trust a role is held at, all only for consortium portal roles", () => {
    expect(scopeOf(ctxWith({ role: "ig_officer", trustId: A }, { role: "radiologist", trustId: B }))).toEqual({ all: false, trustIds: [A, B] });
    expect(scopeOf(ctxWith({ role: "radiologist", trustId: null })).all).toBe(false);
    expect(scopeOf(ctxWith({ role: "cio", trustId: null })).all).toBe(true);
  });
});
