// The study look-up: scoped to the trusts the caller's roles cover, found by accession number or
// UID, naming the device by the exam's AE title, with the study's access history; the look-up is
// itself audited.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";
import { recordAuditEvent } from "@/lib/audit/record";
import { ingestExams } from "@/lib/capacity/ingest";
import { withSystem } from "@/lib/db/scope";
import { AppError } from "@/lib/errors";
import { lookUpStudies } from "@/lib/studies/queries";
import { studyLookup } from "@/lib/studies/schemas";

let a: TestTrust, b: TestTrust;
let pacsA: Ctx, igA: Ctx, cioA: Ctx, pacsB: Ctx, consortiumIg: Ctx;
const uidA = `1.2.826.0.1.3680043.9.${process.pid}.1001`;
const accessionA = `ACC${process.pid}A`;

beforeAll(async () => {
  [a, b] = [await makeTrust(), await makeTrust()];
  pacsA = await makeUser([{ role: "pacs_manager", trustId: a.id }]);
  igA = await makeUser([{ role: "ig_officer", trustId: a.id }]);
  cioA = await makeUser([{ role: "cio", trustId: a.id }]);
  pacsB = await makeUser([{ role: "pacs_manager", trustId: b.id }]);
  consortiumIg = await makeUser([{ role: "ig_officer", trustId: null }], { homeTrustId: null });
  await ownerQuery(sql`insert into dicom_devices (trust_id, site_id, department_id, ae_title, kind, modality) values (${a.id}, ${a.siteId}, ${a.departmentId}, ${`${a.odsCode}_CT1`}, 'modality', 'CT')`);
  await ingestExams({ all: true }, {
    exams: [
      { studyInstanceUid: uidA, accessionNumber: accessionA, trust: a.odsCode, site: `${a.odsCode}1`, modality: "CT", performedAt: "2026-03-04T09:15:00Z", imageCount: 300, sizeBytes: 157_286_400, aeTitle: `${a.odsCode}_CT1` },
      // The same accession number at another trust: a different study, which trust A's people never see.
      { studyInstanceUid: `${uidA}.2`, accessionNumber: accessionA, trust: b.odsCode, site: `${b.odsCode}1`, modality: "MR", performedAt: "2026-03-05T09:15:00Z", imageCount: 1, sizeBytes: 1, aeTitle: "UNKNOWN_AE" },
    ],
  });
  // Who has accessed trust A's study: a viewer of trust B and one of trust A, as the PACS reports them.
  await withSystem(async (tx) => {
    for (const [email, trustId, at] of [
      ["viewer.b@test.example", b.id, "2026-03-06T10:00:00Z"],
      ["viewer.a@test.example", a.id, "2026-03-07T10:00:00Z"],
    ] as const) {
      await recordAuditEvent(tx, {
        action: "study.view",
        actor: { email, trustId, role: "radiologist" },
        sourceTrustId: a.id,
        access: { studyInstanceUid: uidA, accessionNumber: accessionA, modality: "CT", purpose: "direct_care" },
        occurredAt: new Date(at),
      });
    }
  });
});

const parse = (input: Record<string, string>) => studyLookup.parse(input);

describe("the study look-up", () => {
  it("finds a study of the caller's trust by UID and by accession number, with its site, device, size and history", async () => {
    for (const lookup of [parse({ by: "study", q: uidA }), parse({ by: "accession", q: accessionA })]) {
      const [found, ...more] = await lookUpStudies(pacsA, lookup);
      expect(more).toEqual([]);
      expect(found?.study).toMatchObject({
        studyInstanceUid: uidA,
        odsCode: a.odsCode,
        siteCode: `${a.odsCode}1`,
        modality: "CT",
        imageCount: 300,
        sizeBytes: 157_286_400,
        aeTitle: `${a.odsCode}_CT1`,
        device: { aeTitle: `${a.odsCode}_CT1`, kind: "modality", retired: false },
      });
      const views = found!.history.filter((e) => e.action === "study.view");
      expect(views.map((e) => [e.actorEmail, e.actorTrust])).toEqual([
        ["viewer.a@test.example", a.odsCode],
        // Another trust's member of staff is named with their trust's ODS code.
        ["viewer.b@test.example", b.odsCode],
      ]);
    }
  });

  it("never shows another trust's study, even with the same accession number", async () => {
    expect(await lookUpStudies(pacsB, parse({ by: "study", q: uidA }))).toEqual([]);
    const [onlyB, ...more] = await lookUpStudies(pacsB, parse({ by: "accession", q: accessionA }));
    expect(more).toEqual([]);
    expect(onlyB?.study).toMatchObject({ odsCode: b.odsCode, aeTitle: "UNKNOWN_AE", device: null });
    // Trust B's history of its own study holds none of trust A's events.
    expect(onlyB?.history.filter((e) => e.action === "study.view")).toEqual([]);
  });

  it("is for PACS managers and IG officers; a consortium-wide officer sees every trust", async () => {
    expect(await lookUpStudies(igA, parse({ by: "study", q: uidA }))).toHaveLength(1);
    expect(await lookUpStudies(consortiumIg, parse({ by: "accession", q: accessionA }))).toHaveLength(2);
    await expect(lookUpStudies(cioA, parse({ by: "study", q: uidA }))).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === "NOT_FOUND");
  });

  it("is recorded in the audit trail, naming the study looked up, on the study's trust's chain", async () => {
    await lookUpStudies(igA, parse({ by: "study", q: uidA }));
    const [event] = await ownerQuery<{ actor_user_id: string; source_trust_id: string; study_instance_uid: string; details: unknown }>(
      sql`select actor_user_id, source_trust_id, study_instance_uid, details from audit_events where action = 'studies.lookup' and actor_user_id = ${igA.userId} order by recorded_at desc limit 1`,
    );
    expect(event).toEqual({ actor_user_id: igA.userId, source_trust_id: a.id, study_instance_uid: uidA, details: { by: "study", results: 1 } });
  });
});

describe("the look-up's query", () => {
  it.each([
    [{ by: "study", q: "1.2.abc" }],
    [{ by: "study", q: "01.2" }],
    [{ by: "study", q: `1.${"2".repeat(70)}` }],
    [{ by: "accession", q: "" }],
    [{ by: "accession", q: "x".repeat(65) }],
    [{ by: "accession", q: "bad\u0000" }],
  ])("refuses %j, naming the field q", (input) => {
    const result = studyLookup.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path[0])).toEqual(["q"]);
  });

  it("refuses an unknown kind, naming the field by", () => {
    expect(studyLookup.safeParse({ by: "patient", q: "123" }).error?.issues.map((i) => i.path[0])).toContain("by");
  });
});
