// The wrapper itself (lib/mutation.ts): a change that forgets its audit event, or records one it
// did not declare, cannot commit; the permission is checked at the trust the input names; a bad
// id is not found; details outside the vocabulary's schema fail the change.
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { beforeAll, describe, expect, it } from "vitest";
import { trusts } from "@/db/schema";
import type { Ctx } from "@/lib/auth/context";
import type { AuditDetails } from "@/lib/audit/actions";
import { recordAuditEvent } from "@/lib/audit/record";
import { defineMutation } from "@/lib/mutation";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";

let t: TestTrust, u: TestTrust;
let pacs: Ctx;
beforeAll(async () => {
  [t, u] = [await makeTrust(), await makeTrust()];
  pacs = await makeUser([{ role: "pacs_manager", trustId: t.id }]);
});

const nameOf = async (id: string) => (await ownerQuery<{ name: string }>(sql`select name from trusts where id = ${id}`))[0]?.name;

/** Renames the trust named by id; how it audits is the test's choice. */
function renamer(name: string, audit: "declared" | "none" | "undeclared" | "bad details") {
  return defineMutation({
    name,
    permission: "sites.write",
    params: z.object({ trustId: z.uuid() }),
    input: z.object({ name: z.string().min(3) }),
    audit: ["trust.update"],
    locate: (_tx, _ctx, { params }) => ({ trustId: params.trustId }),
    run: async ({ tx, ctx, data, trustId, audit: record }) => {
      await tx.update(trusts).set({ name: data.name }).where(eq(trusts.id, trustId!));
      const details = { before: {}, after: { name: data.name } };
      if (audit === "declared" || audit === "undeclared") await record({ action: "trust.update", target: { type: "trust", id: trustId! }, details });
      if (audit === "undeclared") await recordAuditEvent(tx, { action: "site.update", actor: { userId: ctx.userId }, sourceTrustId: trustId, details });
      if (audit === "bad details") await record({ action: "trust.update", details: { after: { name: 42 } } as unknown as AuditDetails<"trust.update"> });
      return { ok: true };
    },
  });
}

describe("defineMutation", () => {
  it("commits a run that records its declared audit event", async () => {
    const m = renamer("test.rename.declared", "declared");
    expect(await m(pacs, { trustId: t.id }, { name: "Renamed With Audit" })).toMatchObject({ ok: true });
    expect(await nameOf(t.id)).toBe("Renamed With Audit");
  });

  it.each(["none", "undeclared", "bad details"] as const)("rolls back a run whose audit is %s", async (kind) => {
    const before = await nameOf(t.id);
    const m = renamer(`test.rename.${kind}`, kind);
    expect(await m(pacs, { trustId: t.id }, { name: `Renamed ${kind}` })).toMatchObject({ ok: false, error: { code: "INTERNAL" } });
    expect(await nameOf(t.id)).toBe(before);
  });

  it("checks the permission at the trust the input names", async () => {
    const before = await nameOf(u.id);
    const m = renamer("test.rename.elsewhere", "declared");
    expect(await m(pacs, { trustId: u.id }, { name: "Not Theirs To Rename" })).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(await nameOf(u.id)).toBe(before);
  });

  it("answers a malformed id as not found and bad input beside its field", async () => {
    const m = renamer("test.rename.inputs", "declared");
    expect(await m(pacs, { trustId: "not-a-uuid" }, { name: "Whatever Name" })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    expect(await m(pacs, { trustId: t.id }, { name: "x" })).toMatchObject({ ok: false, error: { code: "VALIDATION", fieldErrors: { name: expect.any(Array) } } });
    expect(await m(pacs, { trustId: t.id }, { name: "Nul\u0000 Name" })).toMatchObject({ ok: false, error: { code: "VALIDATION", fieldErrors: { name: expect.any(Array) } } });
  });
});
