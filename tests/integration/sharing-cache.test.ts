// The compiled policy set follows the database: a change through any instance (here, another
// cache object on the same database, as a second app instance would be) is seen at its next check.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";
import { PolicySetCache, policySetCache } from "@/lib/sharing/cache";
import { approveVersion, createPolicy, liftRestriction, restrictPatient, revokeVersion, submitForApproval } from "@/lib/sharing/commands";
import { flushDecisionAudit } from "@/lib/sharing/decision-audit";
import { decideAccess, resolveRequest } from "@/lib/sharing/decisions";
import { decide } from "@/lib/sharing/engine";
import { accessDecisionRequest, type AccessDecisionRequest } from "@/lib/sharing/schemas";

let source: TestTrust, target: TestTrust;
let author: Ctx, approver: Ctx, radiologist: Ctx;

beforeAll(async () => {
  [source, target] = [await makeTrust(), await makeTrust()];
  author = await makeUser([{ role: "ig_officer", trustId: source.id }]);
  approver = await makeUser([{ role: "ig_officer", trustId: source.id }]);
  radiologist = await makeUser([{ role: "radiologist", trustId: target.id }]);
});

function question(overrides: Partial<{ breakGlassJustification: string | null; nhs: string }> = {}): AccessDecisionRequest {
  return accessDecisionRequest.parse({
    requester: { user: radiologist.email, trust: target.odsCode },
    study: { sourceTrust: source.odsCode, modality: "MR", studyDate: new Date().toISOString().slice(0, 10), studyInstanceUid: "1.2.826.0.1.3680043.9.7", patientNhsNumber: overrides.nhs ?? "9990000026" },
    purpose: "mdt",
    patientEpisodeTrusts: [target.odsCode],
    breakGlassJustification: overrides.breakGlassJustification ?? null,
  });
}

async function decisionOf(cache: PolicySetCache, q = question()) {
  const snapshot = await cache.get();
  return decide(snapshot.set, resolveRequest(snapshot, q, new Date()), new Date());
}

let activeVersionId = "";

describe("cache invalidation across instances", () => {
  const instanceA = new PolicySetCache(0);
  const instanceB = new PolicySetCache(60 * 60 * 1000);

  it("starts with cross-trust access denied", async () => {
    expect((await decisionOf(instanceA)).decision).toBe("deny");
    expect((await decisionOf(instanceB)).decision).toBe("deny");
  });

  it("sees an approval at its next check, and one with a long interval at its next check after it", async () => {
    const before = (await instanceA.get()).generation;
    const created = await createPolicy(author, {
      policy: { sourceTrust: source.odsCode, name: "MDT imaging", description: "" },
      draft: {
        effectiveFrom: "2020-01-01",
        effectiveUntil: "",
        changeNote: "",
        rules: [{ id: crypto.randomUUID(), effect: "permit", targetTrusts: [target.odsCode], requesterRoles: ["radiologist"], modalities: ["MR"], purposes: ["mdt"], maxStudyAgeYears: "", requiresRelationship: "on", breakGlassAllowed: "on" }],
      },
    });
    if (!created.ok) throw new Error(JSON.stringify(created.error));
    activeVersionId = created.data.versionId;
    await submitForApproval(author, activeVersionId);
    // Pending: the generation moved on, but nothing permits yet.
    expect((await decisionOf(instanceA)).decision).toBe("deny");
    expect((await instanceA.get()).generation).toBeGreaterThan(before);
    expect((await approveVersion(approver, activeVersionId)).ok).toBe(true);
    expect((await decisionOf(instanceA)).decision).toBe("permit");
    // Instance B checked within its interval: it still holds the old set until its next check.
    expect((await decisionOf(instanceB)).decision).toBe("deny");
    instanceB.invalidate();
    expect((await decisionOf(instanceB)).decision).toBe("permit");
  });

  it("sees a restriction and its lifting", async () => {
    const r = await restrictPatient(author, { sourceTrust: source.odsCode, nhsNumber: "9990000026", reason: "safeguarding" });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect((await decisionOf(instanceA)).decision).toBe("break_glass_required");
    expect((await decisionOf(instanceA, question({ breakGlassJustification: "Unconscious in resus" })))).toMatchObject({ decision: "permit", breakGlass: true });
    await liftRestriction(author, r.data.id, { reason: "Case closed" });
    expect((await decisionOf(instanceA)).decision).toBe("permit");
  });

  it("sees a user suspended and a role ended, by any writer (triggers, not app code)", async () => {
    await ownerQuery(sql`update users set status = 'suspended' where id = ${radiologist.userId}`);
    expect((await decisionOf(instanceA)).reasons[0]?.code).toBe("user_inactive");
    await ownerQuery(sql`update users set status = 'active' where id = ${radiologist.userId}`);
    await ownerQuery(sql`update role_assignments set revoked_at = now() - interval '1 second' where user_id = ${radiologist.userId}`);
    expect((await decisionOf(instanceA)).reasons[0]?.code).toBe("no_role_at_trust");
    await ownerQuery(sql`update role_assignments set revoked_at = null where user_id = ${radiologist.userId}`);
    expect((await decisionOf(instanceA)).decision).toBe("permit");
  });

  it("does not reload for a sign-in (columns a decision does not read)", async () => {
    const generation = (await instanceA.get()).generation;
    const reloads = instanceA.reloads;
    await ownerQuery(sql`update users set last_sign_in_at = now(), failed_sign_ins = 0 where id = ${radiologist.userId}`);
    expect((await instanceA.get()).generation).toBe(generation);
    expect(instanceA.reloads).toBe(reloads);
  });

  it("sees a revocation", async () => {
    expect((await revokeVersion(approver, activeVersionId, { reason: "Agreement ended" })).ok).toBe(true);
    expect((await decisionOf(instanceA)).decision).toBe("deny");
  });
});

describe("decisions through the process-wide cache", () => {
  it("answer, then write one audit event per decision in a batch", async () => {
    policySetCache.invalidate();
    const answers = await decideAccess([question(), question({ breakGlassJustification: "Trauma" })], { apiClientId: null, ip: "10.0.0.1", userAgent: "test-pacs", requestId: "req-1" });
    expect(answers.map((a) => a.decision)).toEqual(["deny", "deny"]);
    await flushDecisionAudit();
    const events = await ownerQuery<{ action: string; outcome: string; patient_nhs_number: string; purpose: string; details: { requestId: string } }>(
      sql`select action, outcome, patient_nhs_number, purpose, details from audit_events where action = 'access.decision' order by seq`,
    );
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ outcome: "denied", patient_nhs_number: "9990000026", purpose: "mdt", details: { requestId: "req-1" } });
  });
});
