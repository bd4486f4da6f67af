// The server actions' real path: a FormData as the browser posts it, through the action's own
// decoding (readForm). A reserved field name is refused naming it, with nothing written and
// Object.prototype untouched; the renamed checkbox groups (modalities[]) still save.
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";

const caller = vi.hoisted(() => ({ ctx: null as Ctx | null }));
vi.mock("@/lib/identity/request", () => ({
  requireContext: async () => {
    if (!caller.ctx) throw new Error("no caller");
    return caller.ctx;
  },
}));
// Outside a request Next's cache has nothing to revalidate; redirect is Next's own (it throws).
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

const { createPolicyAction } = await import("@/app/(portal)/sharing/actions");
const { createDepartmentAction } = await import("@/app/(portal)/trusts/actions");

let trust: TestTrust;

beforeAll(async () => {
  trust = await makeTrust();
  caller.ctx = await makeUser([{ role: "consortium_admin", trustId: null }]);
});

afterEach(() => {
  delete (Object.prototype as Record<string, unknown>).workstation;
});

const counts = async () =>
  (await ownerQuery<{ policies: number; departments: number; events: number }>(
    sql`select (select count(*)::int from sharing_policies) as policies, (select count(*)::int from departments) as departments, (select count(*)::int from audit_events) as events`,
  ))[0];

const form = (fields: [string, string][]) => {
  const data = new FormData();
  for (const [name, value] of fields) data.append(name, value);
  return data;
};

describe("server actions against prototype pollution", () => {
  it.each(["__proto__.workstation", "constructor.prototype.workstation", "draft.rules.0.prototype.workstation"])("createPolicyAction refuses %s and writes nothing", async (name) => {
    const before = await counts();
    const state = await createPolicyAction(null, form([["policy.sourceTrust", trust.odsCode], ["policy.name", "Regional"], [name, "pwned"]]));
    expect(state?.message).toContain(`"${name}"`);
    expect(Object.keys(state?.fieldErrors ?? {})).toEqual([name]);
    expect((({}) as Record<string, unknown>).workstation).toBeUndefined();
    expect(await counts()).toEqual(before);
  });

  it("createDepartmentAction saves a checkbox group named modalities[]", async () => {
    const before = await counts();
    const saving = createDepartmentAction(trust.odsCode, null, form([["siteId", trust.siteId], ["name", "Breast Imaging"], ["modalities[]", "MG"], ["modalities[]", "US"]]));
    await expect(saving).rejects.toThrow(/NEXT_REDIRECT/);
    const [dept] = await ownerQuery<{ modalities: string[] }>(sql`select modalities from departments where trust_id = ${trust.id} and name = 'Breast Imaging'`);
    expect(dept?.modalities).toEqual(["MG", "US"]);
    expect((await counts())?.departments).toBe((before?.departments ?? 0) + 1);
  });
});
