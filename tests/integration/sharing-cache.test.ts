// The compiled policy set follows the database: a change through any instance (here, another
// cache object on the same database, as a second app instance would be) is seen at its next check.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";
import { londonToday } from "@/lib/calendar";
import { PolicySetCache, policySetCache } from "@/lib/sharing/cache";
import { approveVersion, createPolicy, liftRestriction, restrictPatient, revokeVersion, submitForApproval } from "@/lib/sharing/commands";
import { flushDecisionAudit } from "@/lib/sharing/decision-audit";
import { decideAccess, resolveRequest } from "@/lib/sharing/decisions";
import { decide } from "@/lib/sharing/engine";
import { accessDecisionRequest, type AccessDecisionRequest } from "@/lib/sharing/schemas";

// Each test makes its own trusts, officers and radiologist (and its own policy where it needs one):
// no test reads what another left behind, so any one of them runs alone or in any order.
type World = { source: TestTrust; target: TestTrust; author: Ctx; approver: Ctx; radiologist: Ctx };

async function world(): Promise<World> {
  const [source, target] = [await makeTrust(), await makeTrust()];
  const author = await makeUser([{ role: "ig_officer", trustId: source.id }]);
  const approver = await makeUser([{ role: "ig_officer", trustId: source.id }]);
  const radiologist = await makeUser([{ role: "radiologist", trustId: target.id }]);
  return { source, target, author, approver, radiologist };
}

function question(w: World, overrides: Partial<{ breakGlassJustification: string | null; nhs: string }> = {}): AccessDecisionRequest {
  return accessDecisionRequest.parse({
    requester: { user: w.radiologist.email, trust: w.target.odsCode },
    study: { sourceTrust: w.source.odsCode, modality: "MR", studyDate: londonToday(), studyInstanceUid: "1.2.826.0.1.3680043.9.7", patientNhsNumber: overrides.nhs ?? "9990000026" },
    purpose: "mdt",
    patientEpisodeTrusts: [w.target.odsCode],
    breakGlassJustification: overrides.breakGlassJustification ?? null,
  });
}

async function decisionOf(cache: PolicySetCache, w: World, q = question(w)) {
  const snapshot = await cache.get();
  return decide(snapshot.set, resolveRequest(snapshot, q, new Date()), new Date());
}

/** A draft policy of the world's source trust permitting its radiologists' MR for MDTs: its version id. */
async function draftPolicy(w: World): Promise<string> {
  const created = await createPolicy(w.author, {
    policy: { sourceTrust: w.source.odsCode, name: "MDT imaging", description: "" },
    draft: {
      effectiveFrom: "2020-01-01",
      effectiveUntil: "",
      changeNote: "",
      rules: [{ id: crypto.randomUUID(), effect: "permit", targetTrusts: [w.target.odsCode], requesterRoles: ["radiologist"], modalities: ["MR"], purposes: ["mdt"], maxStudyAgeYears: "", requiresRelationship: "on", breakGlassAllowed: "on" }],
    },
  });
  if (!created.ok) throw new Error(JSON.stringify(created.error));
  return created.data.versionId;
}

/** The same policy submitted and approved: in effect. */
async function activePolicy(w: World): Promise<string> {
  const versionId = await draftPolicy(w);
  expect((await submitForApproval(w.author, versionId)).ok).toBe(true);
  expect((await approveVersion(w.approver, versionId)).ok).toBe(true);
  return versionId;
}

describe("cache invalidation across instances", () => {
  const instanceA = new PolicySetCache(0);
  const instanceB = new PolicySetCache(60 * 60 * 1000);

  it("starts with cross-trust access denied", async () => {
    const w = await world();
    expect((await decisionOf(instanceA, w)).decision).toBe("deny");
    expect((await decisionOf(instanceB, w)).decision).toBe("deny");
  });

  it("sees an approval at its next check, and one with a long interval at its next check after it", async () => {
    const w = await world();
    // Instance B loads the set before the policy exists, and then not again within its interval.
    expect((await decisionOf(instanceB, w)).decision).toBe("deny");
    const before = (await instanceA.get()).generation;
    const versionId = await draftPolicy(w);
    await submitForApproval(w.author, versionId);
    // Pending: the generation moved on, but nothing permits yet.
    expect((await decisionOf(instanceA, w)).decision).toBe("deny");
    expect((await instanceA.get()).generation).toBeGreaterThan(before);
    expect((await approveVersion(w.approver, versionId)).ok).toBe(true);
    expect((await decisionOf(instanceA, w)).decision).toBe("permit");
    // Instance B checked within its interval: it still holds the old set until its next check.
    expect((await decisionOf(instanceB, w)).decision).toBe("deny");
    instanceB.invalidate();
    expect((await decisionOf(instanceB, w)).decision).toBe("permit");
  });

  it("sees a restriction and its lifting", async () => {
    const w = await world();
    await activePolicy(w);
    expect((await decisionOf(instanceA, w)).decision).toBe("permit");
    const r = await restrictPatient(w.author, { sourceTrust: w.source.odsCode, nhsNumber: "9990000026", reason: "safeguarding" });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect((await decisionOf(instanceA, w)).decision).toBe("break_glass_required");
    expect(await decisionOf(instanceA, w, question(w, { breakGlassJustification: "Unconscious in resus" }))).toMatchObject({ decision: "permit", breakGlass: true });
    await liftRestriction(w.author, r.data.id, { reason: "Case closed" });
    expect((await decisionOf(instanceA, w)).decision).toBe("permit");
  });

  it("sees a user suspended and a role ended, by any writer (triggers, not app code)", async () => {
    const w = await world();
    await activePolicy(w);
    expect((await decisionOf(instanceA, w)).decision).toBe("permit");
    await ownerQuery(sql`update users set status = 'suspended' where id = ${w.radiologist.userId}`);
    expect((await decisionOf(instanceA, w)).reasons[0]?.code).toBe("user_inactive");
    await ownerQuery(sql`update users set status = 'active' where id = ${w.radiologist.userId}`);
    await ownerQuery(sql`update role_assignments set revoked_at = now() - interval '1 second' where user_id = ${w.radiologist.userId}`);
    expect((await decisionOf(instanceA, w)).reasons[0]?.code).toBe("no_role_at_trust");
    await ownerQuery(sql`update role_assignments set revoked_at = null where user_id = ${w.radiologist.userId}`);
    expect((await decisionOf(instanceA, w)).decision).toBe("permit");
  });

  it("does not reload for a sign-in (columns a decision does not read)", async () => {
    const w = await world();
    const generation = (await instanceA.get()).generation;
    const reloads = instanceA.reloads;
    await ownerQuery(sql`update users set last_sign_in_at = now(), failed_sign_ins = 0 where id = ${w.radiologist.userId}`);
    expect((await instanceA.get()).generation).toBe(generation);
    expect(instanceA.reloads).toBe(reloads);
  });

  it("sees a revocation", async () => {
    const w = await world();
    const versionId = await activePolicy(w);
    expect((await decisionOf(instanceA, w)).decision).toBe("permit");
    expect((await revokeVersion(w.approver, versionId, { reason: "Agreement ended" })).ok).toBe(true);
    expect((await decisionOf(instanceA, w)).decision).toBe("deny");
  });
});

describe("decisions through the process-wide cache", () => {
  it("answer, then write one audit event per decision in a batch", async () => {
    const w = await world();
    policySetCache.invalidate();
    const requestId = `req-${crypto.randomUUID()}`;
    const answers = await decideAccess([question(w), question(w, { breakGlassJustification: "Trauma" })], { apiClientId: null, ip: "10.0.0.1", userAgent: "test-pacs", requestId });
    expect(answers.map((a) => a.decision)).toEqual(["deny", "deny"]);
    await flushDecisionAudit();
    const events = await ownerQuery<{ action: string; outcome: string; patient_nhs_number: string; purpose: string; details: { requestId: string } }>(
      sql`select action, outcome, patient_nhs_number, purpose, details from audit_events where action = 'access.decision' and details->>'requestId' = ${requestId} order by seq`,
    );
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ outcome: "denied", patient_nhs_number: "9990000026", purpose: "mdt", details: { requestId } });
  });
});
