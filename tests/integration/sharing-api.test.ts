// POST /api/v1/access-decisions through its route handler: keys and scopes, single and batch,
// bad input answered 4xx naming the item and field, break-glass, and the audit of every decision.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/access-decisions/route";
import { createApiClient } from "@/lib/api-clients/commands";
import type { Ctx } from "@/lib/auth/context";
import { approveVersion, createPolicy, restrictPatient, submitForApproval } from "@/lib/sharing/commands";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";

let source: TestTrust, target: TestTrust, other: TestTrust;
let radiologist: Ctx, suspended: Ctx;
const keys: Record<string, string> = {};

beforeAll(async () => {
  [source, target, other] = [await makeTrust(), await makeTrust(), await makeTrust()];
  const author = await makeUser([{ role: "ig_officer", trustId: source.id }]);
  const approver = await makeUser([{ role: "ig_officer", trustId: source.id }]);
  radiologist = await makeUser([{ role: "radiologist", trustId: target.id }]);
  suspended = await makeUser([{ role: "radiologist", trustId: target.id }], { status: "suspended" });
  const created = await createPolicy(author, {
    policy: { sourceTrust: source.odsCode, name: "Regional MR", description: "" },
    draft: {
      effectiveFrom: "2020-01-01",
      effectiveUntil: "",
      changeNote: "",
      rules: [{ id: crypto.randomUUID(), effect: "permit", targetTrusts: [target.odsCode], requesterRoles: ["radiologist"], modalities: ["MR", "CT"], purposes: ["mdt", "direct_care"], maxStudyAgeYears: "10", requiresRelationship: "on", breakGlassAllowed: "on" }],
    },
  });
  if (!created.ok) throw new Error(JSON.stringify(created.error));
  await submitForApproval(author, created.data.versionId);
  await approveVersion(approver, created.data.versionId);
  await restrictPatient(author, { sourceTrust: source.odsCode, nhsNumber: "9990000034", reason: "safeguarding" });

  const admin = await makeUser([{ role: "consortium_admin", trustId: null }], { homeTrustId: null });
  for (const [name, owner, scopes] of [
    ["consortium", "consortium", ["decisions:read"]],
    ["noscope", "consortium", ["audit:write"]],
    ["targetTrust", target.odsCode, ["decisions:read"]],
    ["otherTrust", other.odsCode, ["decisions:read"]],
  ] as const) {
    const c = await createApiClient(admin, { name: `PACS ${name}`, owner, scopes: [...scopes] });
    if (!c.ok) throw new Error(JSON.stringify(c.error));
    keys[name] = c.data.key;
  }
});

function body(overrides: { user?: string; trust?: string; nhs?: string; justification?: string | null; modality?: string; purpose?: string } = {}) {
  return {
    requester: { user: overrides.user ?? radiologist.email, trust: overrides.trust ?? target.odsCode },
    study: { sourceTrust: source.odsCode, modality: overrides.modality ?? "MR", studyDate: "2024-05-01", studyInstanceUid: "1.2.826.0.1.3680043.8.498.1", patientNhsNumber: overrides.nhs ?? "9990000018" },
    purpose: overrides.purpose ?? "mdt",
    patientEpisodeTrusts: [target.odsCode, source.odsCode],
    breakGlassJustification: overrides.justification ?? null,
  };
}

async function call(payload: unknown, key: string | null = keys.consortium ?? null) {
  const res = await POST(
    new Request("http://mosaic.test/api/v1/access-decisions", {
      method: "POST",
      headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), "x-request-id": "req-test" },
      body: typeof payload === "string" ? payload : JSON.stringify(payload),
    }),
  );
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { code: string; details?: { issues?: { item?: number; field: string }[] } } } };
}

describe("POST /api/v1/access-decisions", () => {
  it("refuses a request without a valid key (401) or without the scope (403)", async () => {
    expect((await call(body(), null)).status).toBe(401);
    expect((await call(body(), "mosaic_aaaaaaaaaa_nope")).status).toBe(401);
    expect((await call(body(), keys.noscope)).status).toBe(403);
  });

  it("answers one request with the decision, policy version and reasons", async () => {
    const { status, json } = await call(body());
    expect(status).toBe(200);
    expect(json).toMatchObject({ decision: "permit", policy: { id: expect.any(String), version: 1 }, reasons: [{ code: "permitted_by_rule" }], breakGlass: false });
  });

  it("answers a batch in order", async () => {
    const { status, json } = await call({ requests: [body(), body({ modality: "US" }), body({ user: suspended.email }), body({ user: "nobody@nowhere.example" }), body({ trust: source.odsCode })] });
    expect(status).toBe(200);
    expect((json.decisions as { decision: string; reasons: { code: string }[] }[]).map((d) => [d.decision, d.reasons[0]?.code])).toEqual([
      ["permit", "permitted_by_rule"],
      ["deny", "no_permitting_rule"],
      ["deny", "user_inactive"],
      ["deny", "unknown_user"],
      ["deny", "no_role_at_trust"],
    ]);
  });

  it("asks for break-glass for a restricted patient, then permits it flagged", async () => {
    expect((await call(body({ nhs: "9990000034" }))).json).toMatchObject({ decision: "break_glass_required", reasons: [{ code: "patient_restricted" }, { code: "break_glass_available" }] });
    expect((await call(body({ nhs: "9990000034", justification: "Unconscious trauma patient transferred from ED" }))).json).toMatchObject({ decision: "permit", breakGlass: true });
  });

  it.each([
    [() => ({ ...body(), study: { ...body().study, modality: "XX" } }), undefined, "study.modality"],
    [() => ({ ...body(), study: { ...body().study, patientNhsNumber: "9990000019" } }), undefined, "study.patientNhsNumber"],
    [() => ({ ...body(), study: { ...body().study, studyDate: "01/05/2024" } }), undefined, "study.studyDate"],
    [() => ({ ...body(), purpose: "curiosity" }), undefined, "purpose"],
    [() => ({ ...body(), requester: { user: "not an email", trust: "RHU" } }), undefined, "requester.user"],
    [() => ({ ...body(), requester: { user: "a@b.example", trust: "ZZZ9" } }), undefined, "requester.trust"],
    [() => ({ requests: [body(), { ...body(), study: { ...body().study, sourceTrust: "ZZZ9" } }] }), 1, "study.sourceTrust"],
    [() => ({ requests: [] }), undefined, "requests"],
    [() => "{not json", undefined, "(body)"],
  ] as [() => unknown, number | undefined, string][])("refuses bad input with 422 naming the field (%#)", async (payload, item, field) => {
    const { status, json } = await call(payload());
    expect(status).toBe(422);
    expect(json.error?.code).toBe("VALIDATION");
    expect(json.error?.details?.issues?.[0]).toMatchObject({ field, ...(item === undefined ? {} : { item }) });
  });

  it("lets a trust's client ask only about its own staff", async () => {
    expect((await call(body(), keys.targetTrust)).status).toBe(200);
    const { status, json } = await call(body(), keys.otherTrust);
    expect(status).toBe(403);
    expect(json.error?.details?.issues?.[0]).toMatchObject({ field: "requester.trust" });
  });

  it("audits every decision before the answer", async () => {
    const before = await ownerQuery<{ n: number }>(sql`select count(*)::int as n from audit_events where action = 'access.decision'`);
    await call({ requests: [body(), body({ nhs: "9990000034", justification: "Resus" })] });
    const rows = await ownerQuery<{ outcome: string; break_glass_justification: string | null; policy_version: number | null; details: { breakGlass: boolean; requestId: string; apiClientId: string } }>(
      sql`select outcome, break_glass_justification, policy_version, details from audit_events where action = 'access.decision' order by seq desc limit 2`,
    );
    const [after] = await ownerQuery<{ n: number }>(sql`select count(*)::int as n from audit_events where action = 'access.decision'`);
    expect((after?.n ?? 0) - (before[0]?.n ?? 0)).toBe(2);
    expect(rows.map((r) => r.details.breakGlass).sort()).toEqual([false, true]);
    expect(rows.find((r) => r.details.breakGlass)).toMatchObject({ outcome: "success", break_glass_justification: "Resus", policy_version: 1, details: { requestId: "req-test" } });
  });
});
