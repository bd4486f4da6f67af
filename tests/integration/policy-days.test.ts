// A sharing policy's window is London days, as a role's is (issue 12): "in effect from" a day
// starts at 00:00 London on it and "until" a day ends at 00:00 London on it, across both clock
// changes; the editor reads the same days back; migration 0020 moves windows stored the old way
// (UTC midnights) to London midnights, published versions included, and leaves the guard on.
import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { testDatabase } from "../helpers/database";
import { dbErrorOf, makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";
import { formatDate } from "@/lib/calendar";
import { PolicySetCache } from "@/lib/sharing/cache";
import { approveVersion, createPolicy, submitForApproval } from "@/lib/sharing/commands";
import { resolveRequest } from "@/lib/sharing/decisions";
import { editorValuesOf } from "@/lib/sharing/editor";
import { decide } from "@/lib/sharing/engine";
import { getPolicy, windowState } from "@/lib/sharing/queries";
import { accessDecisionRequest } from "@/lib/sharing/schemas";

// Each test has trusts of its own: one test's policies never decide another's requests.
type World = { source: TestTrust; target: TestTrust; author: Ctx; approver: Ctx; radiologist: Ctx };
async function world(): Promise<World> {
  const [source, target] = [await makeTrust(), await makeTrust()];
  const author = await makeUser([{ role: "ig_officer", trustId: source.id }]);
  const approver = await makeUser([{ role: "ig_officer", trustId: source.id }]);
  const radiologist = await makeUser([{ role: "radiologist", trustId: target.id }]);
  return { source, target, author, approver, radiologist };
}

/** An active policy of the source trust permitting the target's radiologists' MR for direct care, in this window. */
async function activePolicy({ source, target, author, approver }: World, effectiveFrom: string, effectiveUntil: string) {
  const created = await createPolicy(author, {
    policy: { sourceTrust: source.odsCode, name: `Window ${effectiveFrom} to ${effectiveUntil} ${crypto.randomUUID()}`, description: "" },
    draft: {
      effectiveFrom,
      effectiveUntil,
      changeNote: "",
      rules: [{ id: crypto.randomUUID(), effect: "permit", targetTrusts: [target.odsCode], requesterRoles: ["radiologist"], modalities: ["MR"], purposes: ["direct_care"], maxStudyAgeYears: "", requiresRelationship: "", breakGlassAllowed: "" }],
    },
  });
  if (!created.ok) throw new Error(JSON.stringify(created.error));
  expect((await submitForApproval(author, created.data.versionId)).ok).toBe(true);
  expect((await approveVersion(approver, created.data.versionId)).ok).toBe(true);
  return created.data;
}

async function stored(versionId: string) {
  const [row] = await ownerQuery<{ effective_from: Date | string; effective_until: Date | string | null; status: string }>(
    sql`select effective_from, effective_until, status from sharing_policy_versions where id = ${versionId}`,
  );
  if (!row) throw new Error("no version");
  return { from: new Date(row.effective_from).toISOString(), until: row.effective_until ? new Date(row.effective_until).toISOString() : null, status: row.status };
}

/** The decision for the target's radiologist, about an MR of the source trust, at `at`. */
async function decisionAt({ source, target, radiologist }: World, at: Date) {
  const cache = new PolicySetCache(0);
  const snapshot = await cache.get();
  const question = accessDecisionRequest.parse({
    requester: { user: radiologist.email, trust: target.odsCode },
    study: { sourceTrust: source.odsCode, modality: "MR", studyDate: "2024-01-10" },
    purpose: "direct_care",
  });
  return decide(snapshot.set, resolveRequest(snapshot, question, at), at).decision;
}

describe("a sharing policy's window is London days", () => {
  it("from 1 June to 31 October 2027 (summer at both ends, the clocks go back on the 31st): 00:00 London on each", async () => {
    const w = await world();
    const { versionId, policyId } = await activePolicy(w, "2027-06-01", "2027-10-31");
    // 00:00 London on 1 June is 23:00 UTC on 31 May; 00:00 London on 31 October is still summer
    // time (the clocks go back at 02:00 London), 23:00 UTC on the 30th.
    expect(await stored(versionId)).toEqual({ from: "2027-05-31T23:00:00.000Z", until: "2027-10-30T23:00:00.000Z", status: "active" });

    // The last minutes of 31 May in London: not yet; the first of 1 June: in effect.
    expect(await decisionAt(w, new Date("2027-05-31T23:30:00+01:00"))).toBe("deny");
    expect(await decisionAt(w, new Date("2027-06-01T00:30:00+01:00"))).toBe("permit");
    // 23:30 London on 30 October: still in effect; 00:30 London on 31 October: over.
    expect(await decisionAt(w, new Date("2027-10-30T23:30:00+01:00"))).toBe("permit");
    expect(await decisionAt(w, new Date("2027-10-31T00:30:00+01:00"))).toBe("deny");

    // The editor and the pages read back the days that were entered.
    const policy = await getPolicy(w.author, policyId);
    const version = policy.versions.find((v) => v.id === versionId)!;
    expect(editorValuesOf(version).draft).toMatchObject({ effectiveFrom: "2027-06-01", effectiveUntil: "2027-10-31" });
    expect([formatDate(version.effectiveFrom), formatDate(version.effectiveUntil)]).toEqual(["1 Jun 2027", "31 Oct 2027"]);
    expect(windowState(version, new Date("2027-06-01T00:30:00+01:00"))).toBe("in_effect");
    expect(windowState(version, new Date("2027-05-31T23:30:00+01:00"))).toBe("future");
  });

  it("from 28 March 2027 (the clocks go forward at 01:00 that night) to 1 January 2028 (winter): 00:00 London on each", async () => {
    const w = await world();
    const { versionId } = await activePolicy(w, "2027-03-28", "2028-01-01");
    expect(await stored(versionId)).toEqual({ from: "2027-03-28T00:00:00.000Z", until: "2028-01-01T00:00:00.000Z", status: "active" });
    expect(await decisionAt(w, new Date("2027-03-27T23:59:00Z"))).toBe("deny");
    expect(await decisionAt(w, new Date("2027-03-28T00:00:00Z"))).toBe("permit");
    expect(await decisionAt(w, new Date("2027-12-31T23:59:00Z"))).toBe("permit");
    expect(await decisionAt(w, new Date("2028-01-01T00:00:00Z"))).toBe("deny");
  });

  it("migration 0020 moves windows stored as UTC midnights to London midnights, published ones too, and only those", async () => {
    const w = await world();
    const summer = await activePolicy(w, "2027-06-01", "2027-10-31");
    const winter = await activePolicy(w, "2027-01-04", "2027-02-01");
    // As the old code stored them: UTC midnights of the days (and one instant that is no midnight).
    // A published version is immutable, so the old rows are written with the triggers off.
    await testDatabase().db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`update sharing_policy_versions set effective_from = '2027-06-01T00:00:00Z', effective_until = '2027-10-31T00:00:00Z' where id = ${summer.versionId}`);
      await tx.execute(sql`update sharing_policy_versions set effective_from = '2027-01-04T09:15:00Z' where id = ${winter.versionId}`);
    });
    const migration = readFileSync(path.join(process.cwd(), "db/migrations/0020_policy_days_london_alert_order.sql"), "utf8");
    for (const statement of migration.split("--> statement-breakpoint")) await ownerQuery(sql.raw(statement));

    expect(await stored(summer.versionId)).toEqual({ from: "2027-05-31T23:00:00.000Z", until: "2027-10-30T23:00:00.000Z", status: "active" });
    // Not a UTC midnight: left alone; a winter UTC midnight is already London midnight.
    expect(await stored(winter.versionId)).toEqual({ from: "2027-01-04T09:15:00.000Z", until: "2027-02-01T00:00:00.000Z", status: "active" });
    // The guard is back on: a published version's window cannot be edited.
    expect(await dbErrorOf(ownerQuery(sql`update sharing_policy_versions set effective_until = null where id = ${summer.versionId}`))).toMatch(/only a draft can be edited/);
  });
});
