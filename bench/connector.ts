// The archive connector under a burst (issue 14's target): 2,000 studies stored with storescu from a
// few registered devices, all recorded (asserted), and the rate in studies a second from the first
// store to the last study recorded.
//
// What it does: a fresh database (embedded PostgreSQL in a fresh folder, or a new database on the
// server named by BENCH_DATABASE_URL, dropped afterwards), migrated and seeded with the demo
// consortium (its devices registered at every site); a fresh Orthanc from the system package on free
// loopback ports; one-instance synthetic studies written with dump2dcm beforehand (not timed). Then,
// timed: the studies are stored with storescu, one association per 200 files, from four demo
// devices of four trusts at once, while the connector follows Orthanc's change feed in this process
// exactly as the background job does (lib/pacs/connector.ts: catch up, wait 2 s, again) until every
// study is recorded. Orthanc's StableAge is 2 s (a study is recorded once it is stable).
//
//   npm run bench:connector
//   BENCH_STUDIES=500 npm run bench:connector
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:connector
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase, rowsOf, type Database } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { seedDemo } from "@/demo/seed-demo";
import { ensureEmbedded } from "../scripts/embedded-postgres";
import { startOrthanc, testUid, storeFiles, syntheticStudy, writeStudyFiles, type RunningOrthanc } from "../tests/helpers/orthanc";

const raw = process.env.BENCH_STUDIES;
const studyCount = raw === undefined || raw === "" ? 2000 : Number(raw);
if (!Number.isInteger(studyCount) || studyCount <= 0) throw new Error(`BENCH_STUDIES must be a whole number > 0 (got ${raw})`);
// Registered by the demo seed (demo/demo-consortium.ts): a scanner of each of four trusts.
const devices = [
  { aeTitle: "RHM_CT1", modality: "CT" },
  { aeTitle: "RHU_MR1", modality: "MR" },
  { aeTitle: "RNZ_CR1", modality: "CR" },
  { aeTitle: "R1F_US1", modality: "US" },
];
const pollMs = 2000;
// The harness's synthetic UIDs share a root (the demo's exams have another): the benchmark's exams are those under it.
const testUidRoot = testUid().split(".").slice(0, 8).join(".");

const serverUrl = process.env.BENCH_DATABASE_URL || null;
const dbName = `mosaic_bench_connector_${Date.now().toString(36)}`;
const embeddedFolder = serverUrl ? null : fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-bench-connector-"));
if (embeddedFolder) fs.chmodSync(embeddedFolder, 0o755);
const embedded = embeddedFolder ? await ensureEmbedded({ base: embeddedFolder }) : null;
const adminUrl = serverUrl ?? embedded!.urlOf("postgres");
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${dbName}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

let orthanc: RunningOrthanc | null = null;
let database: Database | null = null;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-bench-connector-dicom-"));
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });

try {
  await admin.unsafe(`create database ${dbName}`);
  database = openDatabase({ url: dbUrl.toString(), kind: serverUrl ? "server" : "embedded" });
  await runMigrations(database);
  await seedDemo(database);
  const db = database;
  // lib/ reads its database from DATABASE_URL: set before the connector's modules load.
  process.env.DATABASE_URL = dbUrl.toString();
  const { followUntilCaughtUp } = await import("@/lib/pacs/connector");
  const { orthancArchive } = await import("@/lib/pacs/orthanc");

  orthanc = await startOrthanc({ name: "Mosaic connector benchmark" });
  const archive = orthancArchive({ url: orthanc.url, username: orthanc.username, password: orthanc.password });

  // The studies' files, made before the clock starts: one instance each, dealt round the devices.
  process.stdout.write(`Writing ${studyCount} one-instance studies with dump2dcm… `);
  const perDevice = devices.map(() => [] as string[]);
  for (let i = 0; i < studyCount; i++) {
    const d = i % devices.length;
    const study = syntheticStudy({ instances: 1, modality: devices[d]!.modality });
    perDevice[d]!.push(...(await writeStudyFiles(study, path.join(work, `s${i}`))));
  }
  console.log("done.");

  const recordedCount = async () => {
    const [row] = rowsOf<{ recorded: number; unattributed: number }>(
      await db.db.execute(sql`select count(*) filter (where status = 'recorded')::int as recorded, count(*) filter (where status = 'unattributed')::int as unattributed from pacs_studies`),
    );
    return row!;
  };

  // Timed: the devices store at once; the connector follows meanwhile, as the job does.
  const started = performance.now();
  let storedAt = 0;
  let storeError: unknown = null;
  const storing = Promise.all(perDevice.map((files, d) => storeFiles(orthanc!, devices[d]!.aeTitle, files))).then(
    () => {
      storedAt = performance.now();
    },
    (error: unknown) => {
      storeError = error;
    },
  );
  let recordedAt = 0;
  let steps = 0;
  for (;;) {
    await followUntilCaughtUp({ archive });
    steps++;
    const { recorded, unattributed } = await recordedCount();
    if (storeError) throw storeError;
    if (unattributed > 0) throw new Error(`${unattributed} studies unattributed: every device here is registered`);
    if (recorded >= studyCount) {
      recordedAt = performance.now();
      break;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  await storing;
  if (storeError) throw storeError;

  // All recorded, each once, as exams of the right trusts.
  const [exams] = rowsOf<{ n: number; distinct_uids: number }>(
    await db.db.execute(sql`select count(*)::int as n, count(distinct study_instance_uid)::int as distinct_uids from exams where study_instance_uid like ${`${testUidRoot}.%`}`),
  );
  if (exams!.n !== studyCount || exams!.distinct_uids !== studyCount) throw new Error(`expected ${studyCount} exams, found ${exams!.n} (${exams!.distinct_uids} distinct studies)`);
  const { recorded } = await recordedCount();
  if (recorded !== studyCount) throw new Error(`expected ${studyCount} recorded studies, found ${recorded}`);

  const total = recordedAt - started;
  console.log(`\nConnector: ${studyCount} one-instance studies stored with storescu from ${devices.length} registered devices at once (${devices.map((d) => d.aeTitle).join(", ")}):`);
  console.log(`  all stored in ${seconds(storedAt - started)} (${(studyCount / ((storedAt - started) / 1000)).toFixed(1)} studies/s into Orthanc)`);
  console.log(`  all recorded in ${seconds(total)} from the first store (${steps} catch-ups, ${pollMs / 1000} s apart; Orthanc's StableAge 2 s)`);
  console.log(`  ${studyCount} exams recorded, each once: asserted`);
  console.log(`  rate, stored → recorded: ${(studyCount / (total / 1000)).toFixed(1)} studies/s`);
} finally {
  await orthanc?.stop();
  await database?.close();
  await admin.unsafe(`drop database if exists ${dbName} with (force)`).catch(() => {});
  await admin.end();
  if (embedded) await embedded.stop();
  if (embeddedFolder) fs.rmSync(embeddedFolder, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
}
