// The policy lifecycle on a real database: drafts, two-person approval, immutability of versions
// (in lib/ and in the database), revocation, visibility to target trusts, restrictions, audit.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { dbErrorOf, makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import { testDatabase } from "../helpers/database";
import type { Ctx } from "@/lib/auth/context";
import { approveVersion, createPolicy, liftRestriction, restrictPatient, returnToDraft, revokeVersion, saveDraft, startNewVersion, submitForApproval } from "@/lib/sharing/commands";
import { approvalQueue, getPolicy, listPolicies, listRestrictions, sharingMatrix } from "@/lib/sharing/queries";
import { AppError } from "@/lib/errors";
import { rowsOf } from "@/db/client";

let a: TestTrust, b: TestTrust, c: TestTrust;
let author: Ctx, approver: Ctx, targetOfficer: Ctx, otherOfficer: Ctx, consortiumIg: Ctx, pacs: Ctx;

beforeAll(async () => {
  [a, b, c] = [await makeTrust(), await makeTrust(), await makeTrust()];
  author = await makeUser([{ role: "ig_officer", trustId: a.id }]);
  approver = await makeUser([{ role: "ig_officer", trustId: a.id }]);
  targetOfficer = await makeUser([{ role: "ig_officer", trustId: b.id }]);
  otherOfficer = await makeUser([{ role: "ig_officer", trustId: c.id }]);
  consortiumIg = await makeUser([{ role: "ig_officer", trustId: null }], { homeTrustId: null });
  pacs = await makeUser([{ role: "pacs_manager", trustId: a.id }]);
});

let ruleSeq = 0;
function ruleFor(targets: string[], overrides: Record<string, unknown> = {}) {
  ruleSeq++;
  return {
    id: `00000000-0000-4000-8000-${String(ruleSeq).padStart(12, "0")}`,
    effect: "permit",
    targetTrusts: targets,
    requesterRoles: ["radiologist", "clinician"],
    modalities: ["CT", "MR"],
    purposes: ["direct_care", "mdt"],
    maxStudyAgeYears: "10",
    requiresRelationship: "on",
    breakGlassAllowed: "on",
    ...overrides,
  };
}

let policySeq = 0;
function newPolicy(overrides: { policy?: Record<string, unknown>; draft?: Record<string, unknown> } = {}) {
  policySeq++;
  return {
    policy: { sourceTrust: a.odsCode, name: `Regional imaging ${policySeq}`, description: "For direct care", ...overrides.policy },
    draft: { effectiveFrom: "2026-04-01", effectiveUntil: "", changeNote: "First version", rules: [ruleFor([b.odsCode])], ...overrides.draft },
  };
}

async function created(ctx: Ctx, input = newPolicy()) {
  const r = await createPolicy(ctx, input);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data;
}

async function activePolicy() {
  const p = await created(author);
  expect((await submitForApproval(author, p.versionId)).ok).toBe(true);
  expect((await approveVersion(approver, p.versionId)).ok).toBe(true);
  return p;
}

describe("two-person approval", () => {
  it("the author cannot approve their own version; another officer of the source trust can", async () => {
    const p = await created(author);
    expect(await approveVersion(approver, p.versionId)).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
    expect((await submitForApproval(author, p.versionId)).ok).toBe(true);
    expect(await approveVersion(author, p.versionId)).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(await approveVersion(consortiumIg, p.versionId)).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(await approveVersion(targetOfficer, p.versionId)).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    expect(await approveVersion(approver, p.versionId)).toMatchObject({ ok: true });
    const policy = await getPolicy(author, p.policyId);
    expect(policy.versions[0]).toMatchObject({ version: 1, status: "active", approvedByName: expect.any(String) });
    const [event] = await ownerQuery<{ actor_user_id: string }>(sql`select actor_user_id from audit_events where action = 'sharing.version.approve' and target_id = ${p.versionId}`);
    expect(event?.actor_user_id).toBe(approver.userId);
  });

  it("the database refuses an approval by the author even from the table owner", async () => {
    const p = await created(author);
    await submitForApproval(author, p.versionId);
    expect(
      await dbErrorOf(ownerQuery(sql`update sharing_policy_versions set status = 'active', approved_by = created_by, approved_at = now() where id = ${p.versionId}`)),
    ).toMatch(/sharing_policy_versions_two_person/);
  });

  it("a reviewer can return a version to its author with a reason", async () => {
    const p = await created(author);
    await submitForApproval(author, p.versionId);
    expect(await returnToDraft(approver, p.versionId, { reason: "" })).toMatchObject({ ok: false, error: { fieldErrors: { reason: expect.any(Array) } } });
    expect((await returnToDraft(approver, p.versionId, { reason: "Add the R1F trust as well" })).ok).toBe(true);
    expect((await getPolicy(author, p.policyId)).versions[0]?.status).toBe("draft");
  });
});

describe("versions are never edited once they leave draft", () => {
  it("lib refuses to edit a pending or active version, and only the author edits a draft", async () => {
    const p = await created(author);
    const draft = { effectiveFrom: "2026-05-01", effectiveUntil: "", changeNote: "Later start", rules: [ruleFor([b.odsCode, c.odsCode])] };
    expect(await saveDraft(approver, p.versionId, draft)).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect((await saveDraft(author, p.versionId, draft)).ok).toBe(true);
    await submitForApproval(author, p.versionId);
    expect(await saveDraft(author, p.versionId, draft)).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
    await approveVersion(approver, p.versionId);
    expect(await saveDraft(author, p.versionId, draft)).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
  });

  it("the database refuses to change an approved version's rules or window, or to delete it", async () => {
    const p = await activePolicy();
    expect(await dbErrorOf(ownerQuery(sql`update sharing_policy_versions set rules = '[]'::jsonb where id = ${p.versionId}`))).toMatch(/only a draft can be edited/);
    expect(await dbErrorOf(ownerQuery(sql`update sharing_policy_versions set effective_until = now() + interval '1 day' where id = ${p.versionId}`))).toMatch(/only a draft can be edited/);
    expect(await dbErrorOf(ownerQuery(sql`update sharing_policy_versions set status = 'draft' where id = ${p.versionId}`))).toMatch(/cannot go from active to draft/);
    expect(await dbErrorOf(ownerQuery(sql`delete from sharing_policy_versions where id = ${p.versionId}`))).toMatch(/never deleted/);
  });

  it("a new version supersedes the active one on approval", async () => {
    const p = await activePolicy();
    const v2 = await startNewVersion(author, p.policyId);
    if (!v2.ok) throw new Error(JSON.stringify(v2.error));
    expect(await startNewVersion(author, p.policyId)).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
    await saveDraft(author, v2.data.versionId, { effectiveFrom: "2026-04-01", effectiveUntil: "2027-03-31", changeNote: "Add C", rules: [ruleFor([b.odsCode, c.odsCode])] });
    await submitForApproval(author, v2.data.versionId);
    expect((await approveVersion(approver, v2.data.versionId)).ok).toBe(true);
    const versions = (await getPolicy(author, p.policyId)).versions.map((v) => [v.version, v.status]);
    expect(versions).toEqual([
      [2, "active"],
      [1, "superseded"],
    ]);
  });

  it("revocation needs a reason and is final", async () => {
    const p = await activePolicy();
    expect(await revokeVersion(approver, p.versionId, {})).toMatchObject({ ok: false, error: { code: "VALIDATION", fieldErrors: { reason: expect.any(Array) } } });
    expect(await revokeVersion(consortiumIg, p.versionId, { reason: "Data sharing agreement ended" })).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect((await revokeVersion(author, p.versionId, { reason: "Data sharing agreement ended" })).ok).toBe(true);
    expect(await revokeVersion(approver, p.versionId, { reason: "again" })).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
    const [v] = await ownerQuery<{ status: string; revoke_reason: string }>(sql`select status, revoke_reason from sharing_policy_versions where id = ${p.versionId}`);
    expect(v).toEqual({ status: "revoked", revoke_reason: "Data sharing agreement ended" });
  });
});

describe("who sees what", () => {
  it("a target trust sees published versions only; an unrelated trust sees nothing", async () => {
    const published = await activePolicy();
    const draft = await created(author);
    const seenByTarget = (await listPolicies(targetOfficer)).map((p) => p.id);
    expect(seenByTarget).toContain(published.policyId);
    expect(seenByTarget).not.toContain(draft.policyId);
    await expect(getPolicy(targetOfficer, draft.policyId)).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === "NOT_FOUND");
    const targetView = await getPolicy(targetOfficer, published.policyId);
    expect(targetView.canWrite).toBe(false);
    expect((await listPolicies(otherOfficer)).map((p) => p.id)).not.toContain(published.policyId);
    await expect(getPolicy(otherOfficer, published.policyId)).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === "NOT_FOUND");
    await expect(listPolicies(pacs)).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === "NOT_FOUND");
    await expect(approvalQueue(pacs)).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === "NOT_FOUND");
    await expect(sharingMatrix(pacs)).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === "NOT_FOUND");
  });

  it("another trust's officer cannot write to the source trust's policies", async () => {
    const p = await created(author);
    expect(await submitForApproval(targetOfficer, p.versionId)).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    expect(await createPolicy(targetOfficer, newPolicy())).toMatchObject({ ok: false, error: { fieldErrors: { sourceTrust: expect.any(Array) } } });
  });

  it("the approval queue lists pending versions of the approver's trusts, marking their own", async () => {
    const p = await created(author);
    await submitForApproval(author, p.versionId);
    expect((await approvalQueue(approver)).find((q) => q.id === p.versionId)).toMatchObject({ isOwn: false });
    expect((await approvalQueue(author)).find((q) => q.id === p.versionId)).toMatchObject({ isOwn: true });
    expect(await approvalQueue(targetOfficer)).toEqual([]);
  });

  it("the matrix shows in-effect active policies, with the policy behind each cell", async () => {
    const p = await activePolicy();
    const m = await sharingMatrix(author, new Date("2026-06-01T00:00:00Z"));
    const cell = m.cells[`${a.odsCode}|${b.odsCode}`];
    expect(cell?.policies.map((x) => x.id)).toContain(p.policyId);
    expect(cell?.purposes).toEqual(["direct_care", "mdt"]);
    const before = await sharingMatrix(author, new Date("2026-03-01T00:00:00Z"));
    expect(before.cells[`${a.odsCode}|${b.odsCode}`]).toBeUndefined();
  });

  it("the trust directory function lists every trust to a caller scoped to one", async () => {
    const rows = await testDatabase().db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', 'mosaic_app', true), set_config('mosaic.trust_ids', ${`{${a.id}}`}, true), set_config('mosaic.scope_all', 'off', true)`);
      const dir = rowsOf<{ id: string }>(await tx.execute(sql`select id from mosaic_trust_directory()`));
      const direct = rowsOf<{ id: string }>(await tx.execute(sql`select id from trusts`));
      const scopeAfter = rowsOf<{ s: string | null }>(await tx.execute(sql`select current_setting('mosaic.scope_all', true) as s`));
      return { dir, direct, scopeAfter };
    });
    expect(rows.dir.map((r) => r.id)).toEqual(expect.arrayContaining([a.id, b.id, c.id]));
    expect(rows.direct.map((r) => r.id)).toEqual([a.id]);
    expect(rows.scopeAfter[0]?.s).toBe("off");
  });
});

describe("validation names the field", () => {
  it.each([
    [{ policy: { name: "" } }, "policy.name"],
    [{ policy: { sourceTrust: "nope!" } }, "policy.sourceTrust"],
    [{ draft: { effectiveFrom: "01/04/2026" } }, "draft.effectiveFrom"],
    [{ draft: { effectiveFrom: "2026-04-01", effectiveUntil: "2026-03-01" } }, "draft.effectiveUntil"],
    [{ draft: { rules: [] } }, "draft.rules"],
    [{ draft: { rules: [{ ...ruleFor(["RHU"]), targetTrusts: [] }] } }, "draft.rules.0.targetTrusts"],
    [{ draft: { rules: [{ ...ruleFor(["RHU"]), requesterRoles: ["ig_officer"] }] } }, "draft.rules.0.requesterRoles.0"],
    [{ draft: { rules: [{ ...ruleFor(["RHU"]), modalities: [] }] } }, "draft.rules.0.modalities"],
    [{ draft: { rules: [{ ...ruleFor(["RHU"]), purposes: ["marketing"] }] } }, "draft.rules.0.purposes.0"],
    [{ draft: { rules: [{ ...ruleFor(["RHU"]), maxStudyAgeYears: "0" }] } }, "draft.rules.0.maxStudyAgeYears"],
    [{ draft: { rules: [{ ...ruleFor(["RHU"]), effect: "deny" }] } }, "draft.rules.0.breakGlassAllowed"],
  ] as [{ policy?: Record<string, unknown>; draft?: Record<string, unknown> }, string][])("%o → %s", async (overrides, field) => {
    const base = newPolicy();
    const input = { policy: { ...base.policy, ...overrides.policy }, draft: { ...base.draft, ...overrides.draft } };
    const r = await createPolicy(author, input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.error.fieldErrors ?? {})).toContain(field);
  });

  it("an unknown target trust and the source trust itself are refused on the rule", async () => {
    for (const target of ["ZZZ9", a.odsCode]) {
      const r = await createPolicy(author, newPolicy({ draft: { rules: [ruleFor([target])] } }));
      expect(r).toMatchObject({ ok: false, error: { fieldErrors: { "rules.0.targetTrusts": expect.any(Array) } } });
    }
  });
});

describe("patient restrictions", () => {
  it("validate the NHS number with modulus 11, refuse duplicates, and are lifted with a reason", async () => {
    expect(await restrictPatient(author, { sourceTrust: a.odsCode, nhsNumber: "9990000019", reason: "safeguarding" })).toMatchObject({ ok: false, error: { fieldErrors: { nhsNumber: expect.any(Array) } } });
    expect(await restrictPatient(author, { sourceTrust: a.odsCode, nhsNumber: "9990000018", reason: "gossip" })).toMatchObject({ ok: false, error: { fieldErrors: { reason: expect.any(Array) } } });
    const r = await restrictPatient(author, { sourceTrust: a.odsCode, nhsNumber: "999 000 0018", reason: "safeguarding", note: "Case 42" });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(await restrictPatient(approver, { sourceTrust: a.odsCode, nhsNumber: "9990000018", reason: "vip" })).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
    expect(await restrictPatient(targetOfficer, { sourceTrust: a.odsCode, nhsNumber: "9990000026", reason: "vip" })).toMatchObject({ ok: false, error: { fieldErrors: { sourceTrust: expect.any(Array) } } });
    expect((await listRestrictions(author)).map((x) => x.nhsNumber)).toContain("9990000018");
    expect((await listRestrictions(targetOfficer)).map((x) => x.nhsNumber)).not.toContain("9990000018");
    expect(await liftRestriction(targetOfficer, r.data.id, { reason: "Not mine to lift" })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    expect((await liftRestriction(author, r.data.id, { reason: "Safeguarding case closed" })).ok).toBe(true);
    expect((await listRestrictions(author)).map((x) => x.nhsNumber)).not.toContain("9990000018");
    const events = await ownerQuery<{ action: string }>(sql`select action from audit_events where target_id = ${r.data.id} order by seq`);
    expect(events.map((e) => e.action)).toEqual(["sharing.restriction.create", "sharing.restriction.lift"]);
  });
});
