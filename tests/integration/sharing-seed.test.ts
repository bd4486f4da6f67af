// The demo seed's sharing answers the questions the README and the issue ask of it.
import { beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { testDatabase } from "../helpers/database";
import { ownerQuery } from "../helpers/factories";
import { seedDemo } from "@/demo/seed-demo";
import { loadSnapshot, type PolicySnapshot } from "@/lib/sharing/cache";
import { resolveRequest } from "@/lib/sharing/decisions";
import { decide } from "@/lib/sharing/engine";
import { accessDecisionRequest } from "@/lib/sharing/schemas";

let snapshot: PolicySnapshot;
const now = new Date("2026-06-15T12:00:00Z");

beforeAll(async () => {
  expect((await seedDemo(testDatabase())).outcome).toBe("seeded");
  snapshot = await loadSnapshot();
});

function ask(q: { user: string; trust: string; source: string; modality: string; purpose: string; nhs?: string; episodes?: string[]; justification?: string; studyDate?: string }) {
  const request = accessDecisionRequest.parse({
    requester: { user: q.user, trust: q.trust },
    study: { sourceTrust: q.source, modality: q.modality, studyDate: q.studyDate ?? "2024-05-01", studyInstanceUid: "1.2.3", patientNhsNumber: q.nhs ?? "9990000018" },
    purpose: q.purpose,
    patientEpisodeTrusts: q.episodes ?? [q.trust, q.source],
    breakGlassJustification: q.justification ?? null,
  });
  return decide(snapshot.set, resolveRequest(snapshot, request, now), now);
}

describe("the demo sharing", () => {
  it("has its policies in every state the issue asks for, and two restricted patients", async () => {
    const states = await ownerQuery<{ status: string; n: number }>(sql`select status, count(*)::int as n from sharing_policy_versions group by status order by status`);
    expect(Object.fromEntries(states.map((s) => [s.status, s.n]))).toEqual({ active: 5, pending_approval: 1, revoked: 1, superseded: 1 });
    const [r] = await ownerQuery<{ n: number }>(sql`select count(*)::int as n from patient_restrictions where lifted_at is null`);
    expect(r?.n).toBe(2);
    const [two] = await ownerQuery<{ n: number }>(sql`select count(*)::int as n from sharing_policy_versions where approved_by = created_by`);
    expect(two?.n).toBe(0);
  });

  it("answers the example questions", () => {
    expect(ask({ user: "radiologist@rhu.example", trust: "RHU", source: "RNZ", modality: "MR", purpose: "mdt" }).decision).toBe("permit");
    expect(ask({ user: "radiologist@rhu.example", trust: "RHU", source: "RNZ", modality: "MR", purpose: "mdt", nhs: "9990000042" }).decision).toBe("break_glass_required");
    expect(ask({ user: "radiologist@rhu.example", trust: "RHU", source: "RNZ", modality: "MR", purpose: "mdt", nhs: "9990000042", justification: "Major trauma" })).toMatchObject({ decision: "permit", breakGlass: true });
    expect(ask({ user: "radiologist@r1f.example", trust: "R1F", source: "RNZ", modality: "MR", purpose: "mdt" }).decision).toBe("deny");
    // The expired teaching file and the revoked research pilot permit nothing.
    expect(ask({ user: "radiologist@rhu.example", trust: "RHU", source: "RHM", modality: "CT", purpose: "teaching" }).decision).toBe("deny");
    expect(ask({ user: "radiologist@rhm.example", trust: "RHM", source: "RNZ", modality: "MR", purpose: "research" }).decision).toBe("deny");
    // Southampton's deny rule on research overrides its permit.
    expect(ask({ user: "radiologist@rnz.example", trust: "RNZ", source: "RHM", modality: "CT", purpose: "research" })).toMatchObject({ decision: "deny", reasons: [{ code: "denied_by_rule" }] });
    // The pending Portsmouth version does not yet let the Isle of Wight in.
    expect(ask({ user: "radiologist@r1f.example", trust: "R1F", source: "RHU", modality: "CT", purpose: "mdt" }).decision).toBe("deny");
    expect(ask({ user: "ig@rnz.example", trust: "RNZ", source: "RNZ", modality: "MR", purpose: "mdt" }).reasons[0]?.code).toBe("same_trust");
    expect(ask({ user: "nobody@rhu.example", trust: "RHU", source: "RNZ", modality: "MR", purpose: "mdt" }).reasons[0]?.code).toBe("unknown_user");
  });
});
