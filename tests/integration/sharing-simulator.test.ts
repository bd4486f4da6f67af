// The sharing simulator asked about a named person (their status and roles at the requester's trust,
// as the machine API would decide on them) and a study by its Study Instance UID (its trust,
// modality and date from the exam record, its patient from the audit trail). Another trust's study
// is not found, as a missing one.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/audit-events/route";
import { exams } from "@/db/schema";
import type { Ctx } from "@/lib/auth/context";
import { AppError } from "@/lib/errors";
import { approveVersion, createPolicy, submitForApproval } from "@/lib/sharing/commands";
import { simulate } from "@/lib/sharing/simulate";
import { testDatabase } from "../helpers/database";
import { accessEventBody, makeApiKey, postJson } from "../helpers/api";
import { makeTrust, makeUser, type TestTrust } from "../helpers/factories";

let a: TestTrust, b: TestTrust, c: TestTrust;
let igA: Ctx, igB: Ctx, igC: Ctx;
let radiologistB: Ctx, clinicianB: Ctx, suspendedB: Ctx;
const study = "1.2.826.0.1.3680043.9.8001";
const patient = "9990000034";

beforeAll(async () => {
  [a, b, c] = [await makeTrust(), await makeTrust(), await makeTrust()];
  igA = await makeUser([{ role: "ig_officer", trustId: a.id }]);
  const approver = await makeUser([{ role: "ig_officer", trustId: a.id }]);
  igB = await makeUser([{ role: "ig_officer", trustId: b.id }]);
  igC = await makeUser([{ role: "ig_officer", trustId: c.id }]);
  radiologistB = await makeUser([{ role: "radiologist", trustId: b.id }]);
  clinicianB = await makeUser([{ role: "clinician", trustId: b.id }]);
  suspendedB = await makeUser([{ role: "radiologist", trustId: b.id }], { status: "suspended" });
  // A's policy: B's radiologists may view A's CT for MDTs.
  const created = await createPolicy(igA, {
    policy: { sourceTrust: a.odsCode, name: "CT to B's MDTs", description: "MDT review" },
    draft: {
      effectiveFrom: "2026-01-01",
      effectiveUntil: "",
      changeNote: "First version",
      rules: [{ id: "00000000-0000-4000-8000-000000000001", effect: "permit", targetTrusts: [b.odsCode], requesterRoles: ["radiologist"], modalities: ["CT"], purposes: ["mdt"], maxStudyAgeYears: "10" }],
    },
  });
  if (!created.ok) throw new Error(JSON.stringify(created.error));
  expect((await submitForApproval(igA, created.data.versionId)).ok).toBe(true);
  expect((await approveVersion(approver, created.data.versionId)).ok).toBe(true);
  // The exam, performed at 00:30 London time on 2 May (23:30 UTC on 1 May), and one PACS event naming its patient.
  const { db } = testDatabase();
  await db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
    await tx.insert(exams).values({ studyInstanceUid: study, trustId: a.id, siteId: a.siteId, accessionNumber: "SIM1", modality: "CT", performedAt: new Date("2026-05-01T23:30:00Z"), imageCount: 200, sizeBytes: 1_000_000 });
  });
  const key = await makeApiKey(["audit:write"]);
  const event = accessEventBody(
    { user: "someone@test.example", actorTrust: a.odsCode, sourceTrust: a.odsCode },
    { patient: { nhsNumber: patient }, study: { studyInstanceUid: study, accessionNumber: "SIM1", sourceTrust: a.odsCode, modality: "CT" }, policy: null },
  );
  expect((await POST(postJson("/api/v1/audit-events", key, { events: [event] }))).status).toBe(200);
});

const ask = (overrides: Record<string, unknown>) => ({ requesterTrust: b.odsCode, purpose: "mdt", hasEpisode: "", breakGlassJustification: "", at: "", ...overrides });
const fieldsOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("VALIDATION");
  return Object.keys((error as AppError).details?.fieldErrors ?? {});
};

describe("the simulator asked about a named person and a study by its UID", () => {
  it("decides on the person's own roles at the requester's trust, and the study's own trust, modality, date and patient", async () => {
    const result = await simulate(igA, ask({ requesterEmail: radiologistB.email.toUpperCase(), studyInstanceUid: study }));
    expect(result.explanation.decision.decision).toBe("permit");
    expect(result.person).toEqual({ email: radiologistB.email, status: "active", roles: ["radiologist"] });
    expect(result.study).toEqual({ studyInstanceUid: study, sourceTrust: a.odsCode, modality: "CT", studyDate: "2026-05-02", patientNhsNumber: patient });
    // The same person for another purpose: the rule does not apply.
    expect((await simulate(igA, ask({ requesterEmail: radiologistB.email, studyInstanceUid: study, purpose: "teaching" }))).explanation.decision.decision).toBe("deny");
  });

  it("denies a person whose roles the rule does not name, or who is suspended, whatever role the form shows", async () => {
    const clinician = await simulate(igA, ask({ requesterEmail: clinicianB.email, requesterRole: "radiologist", studyInstanceUid: study }));
    expect(clinician.person?.roles).toEqual(["clinician"]);
    expect(clinician.explanation.decision.decision).toBe("deny");
    const suspended = await simulate(igA, ask({ requesterEmail: suspendedB.email, studyInstanceUid: study }));
    expect(suspended.person?.status).toBe("suspended");
    expect(suspended.explanation.decision.decision).toBe("deny");
    // At a trust where they hold no role, a person has none.
    const elsewhere = await simulate(igA, ask({ requesterEmail: radiologistB.email, requesterTrust: c.odsCode, studyInstanceUid: study }));
    expect(elsewhere.person?.roles).toEqual([]);
    expect(elsewhere.explanation.decision.decision).toBe("deny");
  });

  it("still answers a role and a modality as before", async () => {
    const result = await simulate(igA, ask({ requesterRole: "radiologist", sourceTrust: a.odsCode, modality: "CT", studyDate: "2026-05-02" }));
    expect(result.explanation.decision.decision).toBe("permit");
    expect(result.person).toBeNull();
    expect(result.study).toBeNull();
  });

  it("does not find another trust's study, as if there were none", async () => {
    // B's officer reads sharing at the requester's trust, but not A's exams.
    expect(await fieldsOf(simulate(igB, ask({ requesterEmail: radiologistB.email, studyInstanceUid: study })))).toEqual(["studyInstanceUid"]);
    expect(await fieldsOf(simulate(igC, ask({ requesterRole: "radiologist", studyInstanceUid: study })))).toEqual(["studyInstanceUid"]);
    expect(await fieldsOf(simulate(igA, ask({ requesterRole: "radiologist", studyInstanceUid: "1.2.826.0.1.3680043.9.9999" })))).toEqual(["studyInstanceUid"]);
  });

  it.each([
    ["an unknown person", { requesterEmail: "nobody@test.example", studyInstanceUid: study }, "requesterEmail"],
    ["an email that is not one", { requesterEmail: "not an email", studyInstanceUid: study }, "requesterEmail"],
    ["a UID that is not one", { requesterRole: "radiologist", studyInstanceUid: "1.2.03" }, "studyInstanceUid"],
    ["neither a person nor a role", { studyInstanceUid: study }, "requesterRole"],
    ["no study and no modality", { requesterRole: "radiologist", sourceTrust: "", modality: "", studyDate: "2026-05-02" }, "sourceTrust,modality"],
  ])("refuses %s, naming the field", async (_name, overrides, fields) => {
    expect((await fieldsOf(simulate(igA, ask(overrides)))).join(",")).toBe(fields);
  });
});
