import { describe, expect, it } from "vitest";
import type { Ctx } from "@/lib/auth/context";
import { navFor } from "@/lib/nav";

const ctxWith = (roles: Ctx["roles"]): Ctx => ({ userId: "u", email: "u@x.example", name: "U", homeTrustId: "t", sessionId: null, roles, client: { ip: null, userAgent: null } });

describe("navigation", () => {
  it("offers image viewer access to people with a clinical role only", () => {
    const hrefs = (roles: Ctx["roles"]) => navFor(ctxWith(roles)).map((i) => i.href);
    expect(hrefs([{ role: "radiologist", trustId: "t" }])).toEqual(["/", "/viewer"]);
    expect(hrefs([{ role: "clinician", trustId: "t" }, { role: "pacs_manager", trustId: "t" }])).toContain("/viewer");
    expect(hrefs([{ role: "ig_officer", trustId: "t" }])).not.toContain("/viewer");
    expect(hrefs([{ role: "consortium_admin", trustId: null }])).not.toContain("/viewer");
  });
});
