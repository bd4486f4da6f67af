// The reference data every page's header reads (trust directory, consortium name) is cached per app
// instance with the policy cache's invalidation: a change through any instance (here, another
// cache object on the same database, as a second app instance would be) is seen at its next check,
// and a read within the interval asks the database nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { makeTrust, makeUser, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";
import { describeCaller, describeCallerWith } from "@/lib/identity/caller";
import { updateTrust } from "@/lib/trusts/commands";
import { ReferenceCache } from "@/lib/trust-directory";

let trust: TestTrust & { name: string };
let manager: Ctx;
let admin: Ctx;

beforeAll(async () => {
  const made = await makeTrust();
  trust = { ...made, name: `Test Hospitals ${made.odsCode} NHS Trust` };
  manager = await makeUser([{ role: "pacs_manager", trustId: trust.id }]);
  admin = await makeUser([{ role: "consortium_admin", trustId: null }], { homeTrustId: null });
});

describe("reference cache", () => {
  it("describes the caller from the cached directory", async () => {
    const caller = await describeCaller(manager);
    expect(caller.roles).toEqual([expect.objectContaining({ role: "pacs_manager", trustOds: trust.odsCode, scope: `${trust.name} (${trust.odsCode})` })]);
    expect(caller.summary).toContain(trust.odsCode);
    expect(caller.consortiumName).not.toBe("");
  });

  it("answers from memory within its interval, and sees a rename or a new trust at its next check", async () => {
    const checkedEveryTime = new ReferenceCache(0);
    const rarelyChecked = new ReferenceCache(60 * 60 * 1000);
    const before = await rarelyChecked.get();
    await checkedEveryTime.get();
    expect(before.byId.get(trust.id)?.name).toBe(trust.name);

    // Nothing changed: a check does not reload.
    await checkedEveryTime.get();
    expect(checkedEveryTime.reloads).toBe(1);

    // A rename does not move the sharing generation (its trigger watches ODS codes and status): the
    // trusts' updated_at is part of the version.
    const renamed = `Renamed ${trust.odsCode} Hospitals NHS Trust`;
    const r = await updateTrust(admin, trust.odsCode, { name: renamed, status: "active" });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect((await checkedEveryTime.get()).byId.get(trust.id)?.name).toBe(renamed);
    expect(describeCallerWith(manager, await checkedEveryTime.get()).roles[0]?.scope).toBe(`${renamed} (${trust.odsCode})`);

    // The other instance keeps what it had until its next check.
    expect((await rarelyChecked.get()).byId.get(trust.id)?.name).toBe(trust.name);
    const added = await makeTrust();
    rarelyChecked.invalidate();
    const after = await rarelyChecked.get();
    expect(after.byId.get(trust.id)?.name).toBe(renamed);
    expect(after.byId.get(added.id)?.odsCode).toBe(added.odsCode);
    expect(rarelyChecked.reloads).toBe(2);
  });

  it("looks afresh within its interval when the caller needs a trust it does not know yet", async () => {
    const rarelyChecked = new ReferenceCache(60 * 60 * 1000);
    await rarelyChecked.get();
    const added = await makeTrust();
    expect((await rarelyChecked.get()).trusts.some((t) => t.odsCode === added.odsCode)).toBe(false);
    const found = await rarelyChecked.getWith((d) => d.trusts.some((t) => t.odsCode === added.odsCode));
    expect(found.byId.get(added.id)?.odsCode).toBe(added.odsCode);
    expect(rarelyChecked.reloads).toBe(2);
  });
});
