// The DICOMweb gateway in front of a real Orthanc (Debian's package, started on free loopback ports):
// searches show only what the sharing policies permit, retrievals are permitted, refused or let
// through by break-glass exactly as the decision API decides, every look is in the audit trail
// before its answer, a store over quota is refused 507, and a refused study is indistinguishable
// from one that does not exist.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as decisionsPost } from "@/app/api/v1/access-decisions/route";
import type { Ctx } from "@/lib/auth/context";
import { withSystem } from "@/lib/db/scope";
import { serveDicomWeb } from "@/lib/dicomweb/gateway";
import { upstreamAt, type Upstream } from "@/lib/dicomweb/upstream";
import { issueViewerToken } from "@/lib/dicomweb/viewer-token";
import { endSession, openSession } from "@/lib/identity/sign-in";
import { approveVersion, createPolicy, submitForApproval } from "@/lib/sharing/commands";
import { policySetCache } from "@/lib/sharing/cache";
import { makeApiKey } from "../helpers/api";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import { skipWithoutOrthanc, startOrthanc, storeStudy, writeStudyFiles, syntheticStudy, type RunningOrthanc, type SyntheticStudy } from "../helpers/orthanc";

const skip = skipWithoutOrthanc();
let orthanc: RunningOrthanc;
let upstream: Upstream;
let a: TestTrust, b: TestTrust;
let radA: Ctx, radB: Ctx, clinB: Ctx, radAB: Ctx;
// A1: at A, patient P1 (who also has an exam at B); A2: at A, patient P2 (only at A); B1: at B, P1.
let A1: SyntheticStudy, A2: SyntheticStudy, B1: SyntheticStudy;
const P1 = "9990000018";
const P2 = "9990000026";
let apiKey = "";

async function recordExam(study: SyntheticStudy, trust: TestTrust, nhs: string) {
  await ownerQuery(sql`insert into exams (study_instance_uid, trust_id, site_id, accession_number, modality, performed_at, image_count, size_bytes, patient_nhs_number)
    values (${study.studyInstanceUid}, ${trust.id}, ${trust.siteId}, ${study.accessionNumber}, ${study.modality}, '2025-03-04T09:15:00Z', ${study.instances}, 1000, ${nhs})`);
}

beforeAll(async () => {
  if (skip) return;
  orthanc = await startOrthanc();
  upstream = upstreamAt(`${orthanc.url}/dicom-web`, orthanc.username, orthanc.password);
  [a, b] = [await makeTrust(), await makeTrust()];
  radA = await makeUser([{ role: "radiologist", trustId: a.id }]);
  radB = await makeUser([{ role: "radiologist", trustId: b.id }]);
  clinB = await makeUser([{ role: "clinician", trustId: b.id }]);
  radAB = await makeUser([{ role: "radiologist", trustId: a.id }, { role: "radiologist", trustId: b.id }]);
  // A shares its CT with B's radiologists for direct care, where the patient is B's too; break-glass allowed.
  const author = await makeUser([{ role: "ig_officer", trustId: a.id }]);
  const approver = await makeUser([{ role: "ig_officer", trustId: a.id }]);
  const created = await createPolicy(author, {
    policy: { sourceTrust: a.odsCode, name: "CT to B", description: "" },
    draft: {
      effectiveFrom: "2020-01-01",
      effectiveUntil: "",
      changeNote: "",
      rules: [{ id: crypto.randomUUID(), effect: "permit", targetTrusts: [b.odsCode], requesterRoles: ["radiologist"], modalities: ["CT"], purposes: ["direct_care"], maxStudyAgeYears: "", requiresRelationship: "on", breakGlassAllowed: "on" }],
    },
  });
  if (!created.ok) throw new Error(JSON.stringify(created.error));
  await submitForApproval(author, created.data.versionId);
  await approveVersion(approver, created.data.versionId);
  A1 = await storeStudy(orthanc, "A_CT1", { patientId: P1 });
  A2 = await storeStudy(orthanc, "A_CT1", { patientId: P2 });
  B1 = await storeStudy(orthanc, "B_CT1", { patientId: P1 });
  await recordExam(A1, a, P1);
  await recordExam(A2, a, P2);
  await recordExam(B1, b, P1);
  apiKey = await makeApiKey(["decisions:read"]);
  policySetCache.invalidate();
}, 120_000);

afterAll(async () => {
  await orthanc?.stop();
});

function ask(who: Ctx | null, path: string, init: { headers?: Record<string, string>; method?: string; body?: BodyInit } = {}) {
  const url = new URL(`http://mosaic.test/dicom-web/${path}`);
  const request = new Request(url, { method: init.method ?? "GET", headers: init.headers, body: init.body, ...(init.body ? { duplex: "half" } : {}) } as RequestInit);
  return serveDicomWeb(request, url.pathname.replace(/^\/dicom-web\//, "").split("/"), { sessionCaller: async () => who, upstream });
}

const uidsOf = async (res: Response) => ((await res.json()) as Record<string, { Value?: string[] }>[]).map((s) => s["0020000D"]?.Value?.[0]);

async function eventsOf(who: Ctx, action: string) {
  return ownerQuery<{ outcome: string; study_instance_uid: string | null; break_glass_justification: string | null; purpose: string; policy_version: number | null; id: string }>(
    sql`select id, outcome, study_instance_uid, break_glass_justification, purpose, policy_version from audit_events where actor_email = ${who.email} and action = ${action} order by occurred_at, seq`,
  );
}

describe.skipIf(skip)("the DICOMweb gateway over a real Orthanc", () => {
  it("shows each person only the studies the policies permit them", async () => {
    expect((await uidsOf(await ask(radB, "studies"))).sort()).toEqual([A1.studyInstanceUid, B1.studyInstanceUid].sort());
    expect(await uidsOf(await ask(clinB, "studies"))).toEqual([B1.studyInstanceUid]);
    expect((await uidsOf(await ask(radA, "studies"))).sort()).toEqual([A1.studyInstanceUid, A2.studyInstanceUid].sort());
    // Each study shown is an access event naming it, durable before the answer.
    const shown = await eventsOf(clinB, "study.query");
    expect(shown.map((e) => e.study_instance_uid)).toEqual([B1.studyInstanceUid]);
  });

  it("answers a search inside a refused study exactly as one inside a study that does not exist", async () => {
    const refused = await ask(radB, `studies/${A2.studyInstanceUid}/series`);
    const missing = await ask(radB, "studies/1.2.3.4.5.6.7.8.9/series");
    expect([refused.status, missing.status]).toEqual([200, 200]);
    expect(await refused.text()).toBe(await missing.text());
    // A search of the whole archive by the refused study's accession number finds nothing either.
    expect(await uidsOf(await ask(radB, `studies?AccessionNumber=${A2.accessionNumber}`))).toEqual([]);
    expect(await uidsOf(await ask(radB, `studies?AccessionNumber=${A1.accessionNumber}`))).toEqual([A1.studyInstanceUid]);
  });

  it("retrieves a permitted study, refuses another with the reasons, and lets break-glass through with an alert", async () => {
    const permitted = await ask(radB, `studies/${A1.studyInstanceUid}/metadata`);
    expect(permitted.status).toBe(200);
    expect(((await permitted.json()) as unknown[]).length).toBe(A1.instances);

    const refused = await ask(radB, `studies/${A2.studyInstanceUid}`);
    expect(refused.status).toBe(403);
    const why = (await refused.json()) as { error: { decision: string; reasons: { code: string }[] } };
    expect(why.error.decision).toBe("break_glass_required");
    expect(why.error.reasons.length).toBeGreaterThan(0);

    const glass = await ask(radB, `studies/${A2.studyInstanceUid}/metadata`, { headers: { "X-Break-Glass-Justification": "Unconscious patient in ED, prior CT needed" } });
    expect(glass.status).toBe(200);
    const events = await eventsOf(radB, "study.retrieve");
    expect(events.map((e) => [e.study_instance_uid, e.outcome])).toEqual([
      [A1.studyInstanceUid, "success"],
      [A2.studyInstanceUid, "denied"],
      [A2.studyInstanceUid, "success"],
    ]);
    expect(events[2]!.break_glass_justification).toContain("Unconscious");
    const alerts = await ownerQuery<{ rule: string }>(sql`select rule from audit_alerts where event_id = ${events[2]!.id}`);
    expect(alerts.map((x) => x.rule)).toContain("break_glass");
    // The permitted retrieval across trusts names the policy version that permitted it.
    expect(events[0]!.policy_version).toBe(1);
  });

  it("answers 404 for a study Mosaic has no record of, and audits the attempt", async () => {
    const res = await ask(clinB, "studies/1.2.3.4.5.6.7.8.10/metadata");
    expect(res.status).toBe(404);
    const events = await eventsOf(clinB, "study.retrieve");
    expect(events.at(-1)).toMatchObject({ outcome: "failure", study_instance_uid: "1.2.3.4.5.6.7.8.10" });
  });

  it("acts for the trust the person names, and refuses one where they hold no role", async () => {
    expect((await ask(radAB, "studies")).status).toBe(400);
    expect((await uidsOf(await ask(radAB, "studies", { headers: { "X-Acting-Trust": a.odsCode } }))).sort()).toEqual([A1.studyInstanceUid, A2.studyInstanceUid].sort());
    expect((await ask(radB, "studies", { headers: { "X-Acting-Trust": a.odsCode } })).status).toBe(403);
    expect((await ask(radB, "studies", { headers: { "X-Purpose-Of-Use": "curiosity" } })).status).toBe(400);
    expect((await ask(null, "studies")).status).toBe(401);
  });

  it("agrees with the decision API on every person, study and purpose", async () => {
    const people = [radA, radB, clinB];
    const studies: [SyntheticStudy, TestTrust, string][] = [[A1, a, P1], [A2, a, P2], [B1, b, P1]];
    const trustOf = new Map([[radA.userId, a], [radB.userId, b], [clinB.userId, b]]);
    for (const person of people) {
      for (const [study, source, nhs] of studies) {
        for (const purpose of ["direct_care", "research", "emergency"]) {
          const gateway = await ask(person, `studies/${study.studyInstanceUid}/metadata`, { headers: { "X-Purpose-Of-Use": purpose } });
          await gateway.body?.cancel();
          // What a PACS would ask the decision API about the same look.
          const episodeTrusts = nhs === P1 ? [a.odsCode, b.odsCode] : [a.odsCode];
          const api = await decisionsPost(
            new Request("http://mosaic.test/api/v1/access-decisions", {
              method: "POST",
              headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
              body: JSON.stringify({
                requester: { user: person.email, trust: trustOf.get(person.userId)!.odsCode },
                study: { sourceTrust: source.odsCode, modality: "CT", studyDate: "2025-03-04", studyInstanceUid: study.studyInstanceUid, patientNhsNumber: nhs },
                purpose,
                patientEpisodeTrusts: episodeTrusts,
                breakGlassJustification: null,
              }),
            }),
          );
          const decision = ((await api.json()) as { decision: string }).decision;
          expect({ person: person.email, study: study.studyInstanceUid, purpose, status: gateway.status }).toEqual({
            person: person.email,
            study: study.studyInstanceUid,
            purpose,
            status: decision === "permit" ? 200 : 403,
          });
        }
      }
    }
  });

  it("refuses a store over the trust's online quota with 507 and an alert, and stores within it", async () => {
    await ownerQuery(sql`insert into storage_quotas (trust_id, tier, quota_bytes) values (${a.id}, 'online', 1000)`);
    await ownerQuery(sql`insert into storage_usage (trust_id, tier, usage_date, modality, bytes) values (${a.id}, 'online', '2025-03-04', 'CT', 900)`);
    const dir = `${orthanc.dir}/stow`;
    const [file] = await writeStudyFiles(syntheticStudy({ instances: 1 }), dir);
    const fs = await import("node:fs/promises");
    const part = await fs.readFile(file!);
    const boundary = "mosaic-test-boundary";
    const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), part, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const headers = { "Content-Type": `multipart/related; type="application/dicom"; boundary=${boundary}`, "Content-Length": String(body.length), Accept: "application/dicom+json" };
    const full = await ask(radA, "studies", { method: "POST", headers, body });
    expect(full.status).toBe(507);
    const refused = await eventsOf(radA, "study.store");
    expect(refused.at(-1)?.outcome).toBe("denied");
    const alerts = await ownerQuery<{ rule: string }>(sql`select rule from audit_alerts where event_id = ${refused.at(-1)!.id}`);
    expect(alerts.map((x) => x.rule)).toEqual(["storage_quota"]);
    // B has no quota set: its store goes through to the archive.
    const stored = await ask(radB, "studies", { method: "POST", headers, body });
    expect(stored.status).toBe(200);
    expect((await eventsOf(radB, "study.store")).at(-1)?.outcome).toBe("success");
  });

  it("takes a viewer token bound to a live session, and refuses it once the session ends", async () => {
    const session = await withSystem((tx) => openSession(tx, { id: clinB.userId, email: clinB.email, homeTrustId: b.id }, { ip: null, userAgent: null }, { method: "test" }));
    const { token } = await issueViewerToken(clinB.userId, session.id);
    const withToken = await ask(null, "studies", { headers: { Authorization: `Bearer ${token}` } });
    expect(await uidsOf(withToken)).toEqual([B1.studyInstanceUid]);
    const altered = `${token.slice(0, -2)}${token.endsWith("A") ? "B" : "A"}A`;
    expect((await ask(null, "studies", { headers: { Authorization: `Bearer ${altered}` } })).status).toBe(401);
    await endSession(session.id, "sign_out");
    expect((await ask(null, "studies", { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
  });
});
