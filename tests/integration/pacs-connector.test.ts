// The archive connector over a real Orthanc (the system package, started on loopback ports by the
// test) and studies made with dcmtk and stored with storescu: attribution by calling AE title, the
// unattributed list, exactly-once recording across a crash mid-page and two followers at once,
// deletions, and an archive answering garbage refused with the field named.
import { createServer, type Server } from "node:http";
import { inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import { skipWithoutOrthanc, startOrthanc, storeStudy, syntheticStudy, type RunningOrthanc } from "../helpers/orthanc";
import { pacsStudies } from "@/db/schema";
import { ingestExams } from "@/lib/capacity/ingest";
import { withTenant } from "@/lib/db/scope";
import { ArchiveError, type Archive } from "@/lib/pacs/archive";
import { committedCursor, followStep, followUntilCaughtUp } from "@/lib/pacs/connector";
import { orthancArchive } from "@/lib/pacs/orthanc";

const skip = skipWithoutOrthanc();

let orthanc: RunningOrthanc;
let archive: Archive;
let a: TestTrust;
let b: TestTrust;
let n = 0;
const aeOf = (prefix: string) => `${prefix}${process.pid % 1000}_${++n}`.slice(0, 16);

/** Registers a device in the registry, as a PACS manager does on the devices page. */
async function registerDevice(ae: string, trust: TestTrust, modality: string) {
  await ownerQuery(sql`insert into dicom_devices (trust_id, site_id, department_id, ae_title, kind, modality) values (${trust.id}, ${trust.siteId}, ${trust.departmentId}, ${ae}, 'modality', ${modality})`);
}

type StudyRow = { status: string; trust_id: string | null; site_id: string | null; problem: string | null; calling_ae_title: string | null; nhs_number: string | null; instance_count: number; deleted_at: Date | null; archive_study_id: string };

async function studyRows(uids: string[]): Promise<Map<string, StudyRow>> {
  const rows = await ownerQuery<StudyRow & { study_instance_uid: string }>(
    sql`select * from pacs_studies where study_instance_uid in ${sql.raw(`(${uids.map((u) => `'${u}'`).join(",")})`)}`,
  );
  return new Map(rows.map((r) => [r.study_instance_uid, r]));
}

/** Waits until the archive holds each study as stable (no instance for StableAge seconds). */
async function waitStable(uids: string[]) {
  const authorization = `Basic ${Buffer.from(`${orthanc.username}:${orthanc.password}`).toString("base64")}`;
  for (let i = 0; i < 120; i++) {
    const states = await Promise.all(
      uids.map(async (uid) => {
        const found = (await (await fetch(`${orthanc.url}/tools/lookup`, { method: "POST", body: uid, headers: { authorization } })).json()) as { ID: string }[];
        const id = found[0]?.ID;
        return id ? ((await orthanc.get(`/studies/${id}`)) as { IsStable: boolean }).IsStable : false;
      }),
    );
    if (states.every(Boolean)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`studies never stable: ${uids.join(", ")}`);
}

/** Follows the feed until every study in `uids` has a row (they become stable after StableAge). */
async function followUntilSeen(uids: string[], follow: () => Promise<unknown> = () => followUntilCaughtUp({ archive })) {
  for (let i = 0; i < 120; i++) {
    await follow();
    const rows = await studyRows(uids);
    if (rows.size === uids.length) return rows;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`studies never recorded: ${uids.join(", ")}`);
}

describe.skipIf(skip)("the archive connector over Orthanc", () => {
  beforeAll(async () => {
    orthanc = await startOrthanc({ stableAge: 1 });
    archive = orthancArchive({ url: orthanc.url, username: orthanc.username, password: orthanc.password, name: `orthanc-${process.pid}` });
    a = await makeTrust();
    b = await makeTrust();
  });
  afterAll(async () => {
    await orthanc?.stop();
  });

  it("records stable studies attributed by calling AE title, and keeps an unknown device's study unattributed", async () => {
    const ct = aeOf("CT");
    const mr = aeOf("MR");
    await registerDevice(ct, a, "CT");
    await registerDevice(mr, b, "MR");
    const s1 = await storeStudy(orthanc, ct, { modality: "CT", instances: 3, studyDate: "20250304", studyTime: "091500" });
    const s2 = await storeStudy(orthanc, mr, { modality: "MR", studyDate: "20250704", studyTime: "101500" });
    const unknown = aeOf("UNKNOWN");
    const s3 = await storeStudy(orthanc, unknown, { modality: "US" });
    const rows = await followUntilSeen([s1.studyInstanceUid, s2.studyInstanceUid, s3.studyInstanceUid]);

    expect(rows.get(s1.studyInstanceUid)).toMatchObject({ status: "recorded", trust_id: a.id, site_id: a.siteId, calling_ae_title: ct, nhs_number: "9990000018", instance_count: 3 });
    expect(rows.get(s2.studyInstanceUid)).toMatchObject({ status: "recorded", trust_id: b.id, site_id: b.siteId, calling_ae_title: mr });
    const unattributed = rows.get(s3.studyInstanceUid);
    expect(unattributed).toMatchObject({ status: "unattributed", trust_id: null, site_id: null });
    expect(unattributed?.problem).toContain("AE title");

    const exams = await ownerQuery<{ study_instance_uid: string; trust_id: string; modality: string; accession_number: string; image_count: number; size_bytes: string; performed_at: string }>(
      sql`select * from exams where study_instance_uid in (${s1.studyInstanceUid}, ${s2.studyInstanceUid}, ${s3.studyInstanceUid}) order by performed_at`,
    );
    expect(exams).toHaveLength(2);
    expect(exams[0]).toMatchObject({ study_instance_uid: s1.studyInstanceUid, trust_id: a.id, modality: "CT", accession_number: s1.accessionNumber, image_count: 3 });
    expect(Number(exams[0]!.size_bytes)).toBeGreaterThan(0);
    // The study's wall-clock time in London: 09:15 GMT in March, 10:15 BST (09:15 UTC) in July.
    expect(new Date(exams[0]!.performed_at).toISOString()).toBe("2025-03-04T09:15:00.000Z");
    expect(new Date(exams[1]!.performed_at).toISOString()).toBe("2025-07-04T09:15:00.000Z");

    // Row-level security: a person of trust A sees A's study rows only, never B's nor an unattributed one.
    const personOfA = await makeUser([{ role: "pacs_manager", trustId: a.id }]);
    const seenByA = await withTenant(personOfA, (tx) =>
      tx.select({ uid: pacsStudies.studyInstanceUid }).from(pacsStudies).where(inArray(pacsStudies.studyInstanceUid, [s1.studyInstanceUid, s2.studyInstanceUid, s3.studyInstanceUid])),
    );
    expect(seenByA.map((r) => r.uid)).toEqual([s1.studyInstanceUid]);

    // Once the device is registered, the study is attributed when it is stable again (another instance arrives).
    await registerDevice(unknown, a, "US");
    await storeStudy(orthanc, unknown, { ...s3, instances: 1 });
    await waitStable([s3.studyInstanceUid]);
    await followUntilCaughtUp({ archive });
    expect((await studyRows([s3.studyInstanceUid])).get(s3.studyInstanceUid)).toMatchObject({ status: "recorded", trust_id: a.id, problem: null, instance_count: 3 });
  });

  it("records every study exactly once across a crash mid-page and two followers at once", async () => {
    const ae = aeOf("CRASH");
    await registerDevice(ae, a, "CT");
    const studies = [];
    for (let i = 0; i < 5; i++) studies.push(await storeStudy(orthanc, ae, { instances: 1 }));
    const uids = studies.map((s) => s.studyInstanceUid);
    await waitStable(uids);

    // The process dies after the page's exams are written, while its study rows are (a trigger the
    // owner adds for this test refuses the third): the transaction never commits.
    const before = await committedCursor(archive.name);
    await ownerQuery(sql`create function test_kill_mid_page() returns trigger language plpgsql as $$ begin raise exception 'killed mid-page'; end $$`);
    await ownerQuery(sql.raw(`create trigger test_kill_mid_page before insert on pacs_studies for each row when (new.study_instance_uid = '${uids[2]}') execute function test_kill_mid_page()`));
    try {
      await expect(followStep({ archive, pageSize: 100_000 })).rejects.toThrow(/insert into "pacs_studies"/);
    } finally {
      await ownerQuery(sql`drop trigger test_kill_mid_page on pacs_studies`);
    }
    expect(await committedCursor(archive.name)).toBe(before);
    expect((await studyRows(uids)).size).toBe(0);
    expect(await ownerQuery(sql`select 1 from exams where study_instance_uid in ${sql.raw(`(${uids.map((u) => `'${u}'`).join(",")})`)}`)).toHaveLength(0);

    // Restarted: two followers at once (two portal instances) take the feed from the committed cursor.
    await followUntilSeen(uids, () => Promise.all([followUntilCaughtUp({ archive, pageSize: 2 }), followUntilCaughtUp({ archive, pageSize: 3 })]));
    const exams = await ownerQuery<{ n: number }>(
      sql`select count(*)::int as n from exams where study_instance_uid in ${sql.raw(`(${uids.map((u) => `'${u}'`).join(",")})`)}`,
    );
    expect(exams[0]?.n).toBe(5);
    // The rollups saw each exam once: the trust's daily count equals its raw exams.
    const [rollup] = await ownerQuery<{ rolled: number; raw: number }>(
      sql`select (select coalesce(sum(exam_count), 0)::int from capacity_exams_daily where trust_id = ${a.id}) as rolled,
                 (select count(*)::int from exams where trust_id = ${a.id}) as raw`,
    );
    expect(rollup?.rolled).toBe(rollup?.raw);
    expect((await studyRows(uids)).size).toBe(5);
  });

  it("keeps a study whose exam the ingest refuses unattributed with the field named, and records the rest of its page", async () => {
    const ae = aeOf("CONFL");
    await registerDevice(ae, a, "CT");
    const clash = syntheticStudy({ instances: 1 });
    // The trust's PACS reported this study before, through the machine API, with another accession number.
    await ingestExams({ all: true }, { exams: [{ studyInstanceUid: clash.studyInstanceUid, accessionNumber: "OTHER1", trust: a.odsCode, site: `${a.odsCode}1`, modality: "CT", performedAt: "2025-03-04T09:15:00Z", imageCount: 1, sizeBytes: 1 }] });
    await storeStudy(orthanc, ae, clash);
    const fine = await storeStudy(orthanc, ae, { instances: 1 });
    await waitStable([clash.studyInstanceUid, fine.studyInstanceUid]);
    const rows = await followUntilSeen([clash.studyInstanceUid, fine.studyInstanceUid]);
    expect(rows.get(fine.studyInstanceUid)?.status).toBe("recorded");
    const refused = rows.get(clash.studyInstanceUid);
    expect(refused?.status).toBe("unattributed");
    expect(refused?.problem).toContain("exams.0.accessionNumber");
    const [exam] = await ownerQuery<{ accession_number: string }>(sql`select accession_number from exams where study_instance_uid = ${clash.studyInstanceUid}`);
    expect(exam?.accession_number).toBe("OTHER1");
  });

  it("marks a study deleted from the archive as deleted, and keeps its exam", async () => {
    const ae = aeOf("DEL");
    await registerDevice(ae, b, "CT");
    const s = await storeStudy(orthanc, ae, { instances: 1 });
    const rows = await followUntilSeen([s.studyInstanceUid]);
    const row = rows.get(s.studyInstanceUid)!;
    expect(row.status).toBe("recorded");
    await orthanc.deleteStudy(row.archive_study_id);
    await followUntilCaughtUp({ archive });
    const after = (await studyRows([s.studyInstanceUid])).get(s.studyInstanceUid);
    expect(after?.status).toBe("deleted");
    expect(after?.deleted_at).toBeTruthy();
    expect(await ownerQuery(sql`select 1 from exams where study_instance_uid = ${s.studyInstanceUid}`)).toHaveLength(1);
  });
});

describe("an archive answering garbage", () => {
  let server: Server;
  let url = "";
  const answers = new Map<string, string>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const body = answers.get(req.url?.split("?")[0] ?? "") ?? "{}";
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const id = "aae70d08-472d25a0-13207b20-f644f67f-23887a2a";
  const errorOf = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (error) {
      if (error instanceof ArchiveError) return error;
      throw error;
    }
    throw new Error("expected an ArchiveError");
  };

  it.each([
    ["/changes", JSON.stringify({ Changes: [{ ChangeType: "StableStudy", ResourceType: "Study", ID: id, Seq: "seven" }], Done: true, Last: 7 }), "Changes.0.Seq"],
    ["/changes", JSON.stringify({ Changes: [], Done: "yes", Last: 7 }), "Done"],
    ["/changes", JSON.stringify({ Changes: [{ ChangeType: "StableStudy", ResourceType: "Study", ID: "../../system", Seq: 8 }], Done: true, Last: 8 }), "Changes.8.ID"],
    ["/changes", "<html>not json</html>", null],
  ])("names the field of a bad %s answer (%#)", async (route, body, field) => {
    answers.clear();
    answers.set(route, body);
    const archiveAtGarbage = orthancArchive({ url, name: `garbage-${route}` });
    const error = await errorOf(archiveAtGarbage.changesAfter(0, 10));
    expect(error.field).toBe(field);
    expect(error.message).toContain(field ?? "not JSON");
  });

  it("refuses garbage study facts with the field named, and the connector's cursor stays where it was", async () => {
    answers.clear();
    answers.set("/changes", JSON.stringify({ Changes: [{ ChangeType: "StableStudy", ResourceType: "Study", ID: id, Seq: 3 }], Done: true, Last: 3 }));
    answers.set(`/studies/${id}`, JSON.stringify({ ID: id, MainDicomTags: { StudyInstanceUID: "1.2.3" }, PatientMainDicomTags: {} }));
    answers.set(`/studies/${id}/series`, JSON.stringify([]));
    answers.set(`/studies/${id}/statistics`, JSON.stringify({ CountInstances: 1, DiskSize: "lots" }));
    const archiveAtGarbage = orthancArchive({ url, name: "garbage-facts" });
    const error = await errorOf(followStep({ archive: archiveAtGarbage }));
    expect(error.field).toBe("DiskSize");
    expect(error.request).toContain("/statistics");
    expect(await committedCursor("garbage-facts")).toBe(0);
  });
});
