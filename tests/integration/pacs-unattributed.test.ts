// Unattributed studies over a real Orthanc (the system package, on loopback ports) and studies
// stored with storescu: a study from an unknown AE title is listed for consortium administrators
// only; once its device is registered the next run records it exactly once (no new instance
// needed); an administrator can attribute one by hand, recorded and audited in one transaction;
// and each trust's online storage snapshot is the sum of what the archive holds of it.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import { skipWithoutOrthanc, startOrthanc, storeStudy, type RunningOrthanc } from "../helpers/orthanc";
import type { Ctx } from "@/lib/auth/context";
import { londonToday } from "@/lib/calendar";
import type { Archive } from "@/lib/pacs/archive";
import { attributeStudy } from "@/lib/pacs/commands";
import { followUntilCaughtUp } from "@/lib/pacs/connector";
import { orthancArchive } from "@/lib/pacs/orthanc";
import { countUnattributed, exportUnattributed, listUnattributed } from "@/lib/pacs/queries";
import { recordArchiveStorage } from "@/lib/pacs/storage";

const skip = skipWithoutOrthanc();

let orthanc: RunningOrthanc;
let archive: Archive;
let a: TestTrust;
let b: TestTrust;
let admin: Ctx;
let pacsOfA: Ctx;
let n = 0;
const aeOf = (prefix: string) => `${prefix}${process.pid % 1000}_${++n}`.slice(0, 16);

async function registerDevice(ae: string, trust: TestTrust, modality: string) {
  await ownerQuery(sql`insert into dicom_devices (trust_id, site_id, department_id, ae_title, kind, modality) values (${trust.id}, ${trust.siteId}, ${trust.departmentId}, ${ae}, 'modality', ${modality})`);
}

type Row = { status: string; trust_id: string | null; site_id: string | null; attributed_by: string | null; archive_study_id: string; problem: string | null };

async function rowOf(uid: string): Promise<Row | undefined> {
  const [row] = await ownerQuery<Row>(sql`select * from pacs_studies where study_instance_uid = ${uid}`);
  return row;
}

/** Follows the feed until each study has a row (stable after StableAge). */
async function followUntilSeen(uids: string[]) {
  for (let i = 0; i < 120; i++) {
    await followUntilCaughtUp({ archive });
    const rows = await Promise.all(uids.map(rowOf));
    if (rows.every(Boolean)) return rows as Row[];
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`studies never seen: ${uids.join(", ")}`);
}

const examsOf = (uid: string) => ownerQuery<{ trust_id: string; site_id: string }>(sql`select trust_id, site_id from exams where study_instance_uid = ${uid}`);
const dailyCount = async (trustId: string) =>
  Number((await ownerQuery<{ n: string | null }>(sql`select sum(exam_count) as n from capacity_exams_daily where trust_id = ${trustId}`))[0]?.n ?? 0);

describe.skipIf(skip)("unattributed studies over Orthanc", () => {
  beforeAll(async () => {
    orthanc = await startOrthanc({ stableAge: 1 });
    archive = orthancArchive({ url: orthanc.url, username: orthanc.username, password: orthanc.password, name: `orthanc-unattr-${process.pid}` });
    [a, b] = [await makeTrust(), await makeTrust()];
    admin = await makeUser([{ role: "consortium_admin", trustId: null }], { homeTrustId: null });
    pacsOfA = await makeUser([{ role: "pacs_manager", trustId: a.id }]);
  });
  afterAll(async () => {
    await orthanc?.stop();
  });

  it("lists a study from an unknown AE for consortium administrators, and records it exactly once after its device is registered", async () => {
    const ae = aeOf("LATE");
    const study = await storeStudy(orthanc, ae, { modality: "CT", instances: 2 });
    const [row] = await followUntilSeen([study.studyInstanceUid]);
    expect(row).toMatchObject({ status: "unattributed", trust_id: null });

    const listed = await listUnattributed(admin, { ae });
    expect(listed.map((s) => s.studyInstanceUid)).toEqual([study.studyInstanceUid]);
    expect(listed[0]).toMatchObject({ callingAeTitle: ae, accessionNumber: study.accessionNumber, modality: "CT", instanceCount: 2 });
    expect(listed[0]!.problem).toContain(ae);
    // The list never carries the patient's identifiers.
    expect(Object.keys(listed[0]!)).not.toContain("nhsNumber");
    expect(await countUnattributed(admin)).toBeGreaterThanOrEqual(1);
    // A trust's PACS manager does not learn that such studies exist.
    await expect(listUnattributed(pacsOfA, {})).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await countUnattributed(pacsOfA)).toBeNull();

    // The export is audited in the transaction that reads it.
    const exported = await exportUnattributed(admin, { ae });
    expect(exported).toHaveLength(1);
    const [exportEvent] = await ownerQuery<{ details: { rows: number; filter: { ae: string } } }>(
      sql`select details from audit_events where action = 'pacs.unattributed_export' and actor_user_id = ${admin.userId} order by occurred_at desc limit 1`,
    );
    expect(exportEvent?.details).toMatchObject({ rows: 1, filter: { ae } });

    // The device is registered; no instance arrives, the feed has nothing new: the next run records it.
    await registerDevice(ae, a, "CT");
    await followUntilCaughtUp({ archive });
    expect(await rowOf(study.studyInstanceUid)).toMatchObject({ status: "recorded", trust_id: a.id, site_id: a.siteId, attributed_by: "device", problem: null });
    expect(await examsOf(study.studyInstanceUid)).toEqual([{ trust_id: a.id, site_id: a.siteId }]);
    expect(await dailyCount(a.id)).toBe(1);
    expect(await listUnattributed(admin, { ae })).toEqual([]);

    // Runs after that change nothing: exactly once.
    await followUntilCaughtUp({ archive });
    await followUntilCaughtUp({ archive });
    expect(await examsOf(study.studyInstanceUid)).toHaveLength(1);
    expect(await dailyCount(a.id)).toBe(1);
  });

  it("lets a consortium administrator attribute a study by hand: exam recorded, row marked, audited; field-named errors; nobody else", async () => {
    const ae = aeOf("HAND");
    const study = await storeStudy(orthanc, ae, { modality: "MR" });
    const [row] = await followUntilSeen([study.studyInstanceUid]);
    const input = { archive: archive.name, studyId: row!.archive_study_id, siteId: b.siteId };

    const refused = await attributeStudy(pacsOfA, input);
    expect(refused).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    const badSite = await attributeStudy(admin, { ...input, siteId: "not-a-site" });
    expect(badSite.ok).toBe(false);
    if (!badSite.ok) expect(Object.keys(badSite.error.fieldErrors ?? {})).toEqual(["siteId"]);
    const noSuchSite = await attributeStudy(admin, { ...input, siteId: "00000000-0000-4000-8000-000000000000" });
    expect(noSuchSite.ok).toBe(false);
    if (!noSuchSite.ok) expect(Object.keys(noSuchSite.error.fieldErrors ?? {})).toEqual(["siteId"]);
    expect(await examsOf(study.studyInstanceUid)).toEqual([]);

    const done = await attributeStudy(admin, input);
    expect(done).toEqual({ ok: true, data: { odsCode: b.odsCode, siteCode: `${b.odsCode}1` } });
    expect(await rowOf(study.studyInstanceUid)).toMatchObject({ status: "recorded", trust_id: b.id, site_id: b.siteId, attributed_by: "administrator", problem: null });
    expect(await examsOf(study.studyInstanceUid)).toEqual([{ trust_id: b.id, site_id: b.siteId }]);
    const events = await ownerQuery<{ source_trust_id: string; study_instance_uid: string; actor_role: string; details: { after: { trust: string; site: string }; examStored: boolean } }>(
      sql`select source_trust_id, study_instance_uid, actor_role, details from audit_events where action = 'pacs.attribute' and study_instance_uid = ${study.studyInstanceUid}`,
    );
    expect(events).toEqual([
      { source_trust_id: b.id, study_instance_uid: study.studyInstanceUid, actor_role: "consortium_admin", details: expect.objectContaining({ after: { status: "recorded", trust: b.odsCode, site: `${b.odsCode}1` }, examStored: true }) },
    ]);

    // It is no longer waiting: a second attribution is "not found", and the connector leaves it be.
    expect(await attributeStudy(admin, input)).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    await followUntilCaughtUp({ archive });
    expect(await examsOf(study.studyInstanceUid)).toHaveLength(1);
  });

  it("records each trust's online storage per modality as the sum of the archive's study sizes, idempotently per day", async () => {
    const c = await makeTrust();
    const ct = aeOf("SCT");
    const mr = aeOf("SMR");
    await registerDevice(ct, c, "CT");
    await registerDevice(mr, c, "MR");
    const studies = [
      await storeStudy(orthanc, ct, { modality: "CT", instances: 3 }),
      await storeStudy(orthanc, ct, { modality: "CT", instances: 1 }),
      await storeStudy(orthanc, mr, { modality: "MR", instances: 2 }),
    ];
    const rows = await followUntilSeen(studies.map((s) => s.studyInstanceUid));
    expect(rows.every((r) => r.status === "recorded")).toBe(true);
    const diskSize = async (r: Row) => Number(((await orthanc.get(`/studies/${r.archive_study_id}/statistics`)) as { DiskSize: string }).DiskSize);
    const sizes = await Promise.all(rows.map(diskSize));
    const expected = { CT: sizes[0]! + sizes[1]!, MR: sizes[2]! };

    const usage = () =>
      ownerQuery<{ modality: string; bytes: string }>(
        sql`select modality, bytes from storage_usage where trust_id = ${c.id} and tier = 'online' and usage_date = ${londonToday()} order by modality`,
      ).then((r) => Object.fromEntries(r.map((u) => [u.modality, Number(u.bytes)])));
    await recordArchiveStorage();
    expect(await usage()).toEqual(expected);
    // Again the same day with the same archive: nothing changes.
    expect(await recordArchiveStorage()).toEqual({ snapshots: 0 });
    expect(await usage()).toEqual(expected);

    // A study leaves the archive: the day's figure follows.
    await orthanc.deleteStudy(rows[0]!.archive_study_id);
    await followUntilCaughtUp({ archive });
    expect((await rowOf(studies[0]!.studyInstanceUid))?.status).toBe("deleted");
    await recordArchiveStorage();
    expect(await usage()).toEqual({ CT: sizes[1]!, MR: sizes[2]! });
  });
});
