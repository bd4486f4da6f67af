// The portal's download routes answer through one door (lib/portal-route.ts): a caller without the
// page's permission gets the page's 404 before a byte is written, never a 500 or a header line.
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { makeTrust, makeUser } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";

// The session cookie is Auth.js's business; these tests choose the caller directly.
const caller = vi.hoisted(() => ({ ctx: null as Ctx | null }));
vi.mock("@/lib/identity/request", () => ({ getRequestContext: async () => caller.ctx }));

const routes = {
  users: () => import("@/app/(portal)/users/export.csv/route"),
  trusts: () => import("@/app/(portal)/trusts/export.csv/route"),
  audit: () => import("@/app/(portal)/audit/export.csv/route"),
  checkpoints: () => import("@/app/(portal)/audit/verify/checkpoints.json/route"),
  policies: () => import("@/app/(portal)/sharing/export.csv/route"),
  matrix: () => import("@/app/(portal)/sharing/matrix/export.csv/route"),
};
const get = async (route: keyof typeof routes, query = "") => (await routes[route]()).GET(new Request(`http://mosaic.test/x${query}`));

let cio: Ctx;
let pacs: Ctx;

beforeAll(async () => {
  const trust = await makeTrust();
  cio = await makeUser([{ role: "cio", trustId: trust.id }]);
  pacs = await makeUser([{ role: "pacs_manager", trustId: trust.id }]);
});

beforeEach(() => {
  caller.ctx = null;
});

describe("portal download routes", () => {
  it.each(["users", "audit", "checkpoints", "policies", "matrix"] as const)("answer a CIO without the page's permission for %s with 404 and nothing else", async (route) => {
    caller.ctx = cio;
    const response = await get(route);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("Not found.");
  });

  it("give the users CSV to a caller who reads users", async () => {
    caller.ctx = pacs;
    const response = await get("users");
    expect(response.status).toBe(200);
    expect((await response.text()).split("\r\n")[0]).toBe("name,email,home_trust,status,roles_in_force,last_sign_in");
  });

  it.each(Object.keys(routes) as (keyof typeof routes)[])("answer %s without a session with 401", async (route) => {
    expect((await get(route)).status).toBe(401);
  });

  it.each(["__proto__", "constructor", "prototype"])("refuse a query parameter called %s with 422 naming it", async (name) => {
    caller.ctx = pacs;
    for (const [query, named] of [[`?q=a&${name}=y`, name], [`?${name}[workstation]=x`, `${name}[workstation]`], [`?${name}.workstation=x`, `${name}.workstation`]]) {
      const response = await get("users", query);
      expect(response.status).toBe(422);
      expect(await response.text()).toContain(`"${named}"`);
    }
    expect((({}) as Record<string, unknown>).workstation).toBeUndefined();
  });
});
