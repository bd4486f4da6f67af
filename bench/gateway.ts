// The DICOMweb gateway against the archive it fronts, in one run (issue 14's targets):
//   - QIDO-RS study search: p50 through the gateway (decision and durable audit included) at most 1.3× direct;
//   - WADO-RS retrieval of a 200-instance study: at least 0.8× the direct throughput in MB/s;
//   - `kill -9` of the portal during a retrieval load: every retrieval answered 200 has its audit event.
//
// What it does: a fresh database (embedded PostgreSQL in a fresh folder, or a new database on the
// server named by BENCH_DATABASE_URL, dropped afterwards), migrated and seeded with the demo
// consortium; a fresh Orthanc from the system package on free loopback ports; synthetic studies
// stored into it with storescu and recorded as the source trust's exams; the production build
// served by `next start` with the gateway pointed at the Orthanc. A demo radiologist's session and
// viewer token (as /viewer issues them) authenticate the gateway's requests; the direct requests
// carry Orthanc's own credentials. Direct and gateway requests alternate, so the machine's noise
// falls on both alike.
//
//   npm run bench:gateway
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:gateway
//   BENCH_QIDO=300 BENCH_WADO=5 BENCH_STUDIES=50 BENCH_INSTANCES=200 BENCH_KILL_CLIENTS=8
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase, rowsOf, type Database } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { seedDemo } from "@/demo/seed-demo";
import { buildIfNeeded } from "../scripts/build-if-needed";
import { ensureEmbedded } from "../scripts/embedded-postgres";
import { freePort, startOrthanc, storeFiles, syntheticStudy, writeStudyFiles, type RunningOrthanc } from "../tests/helpers/orthanc";
import { printServerErrors, startNextServer } from "./next-server";

const num = (name: string, fallback: number) => {
  const raw = process.env[name];
  const n = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a number > 0 (got ${raw})`);
  return Math.round(n);
};
const qidoRequests = num("BENCH_QIDO", 300);
const wadoRounds = num("BENCH_WADO", 5);
const studyCount = num("BENCH_STUDIES", 50);
const instances = num("BENCH_INSTANCES", 200);
const killClients = num("BENCH_KILL_CLIENTS", 8);

const serverUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || null;
const dbName = `mosaic_bench_gateway_${Date.now().toString(36)}`;
const embeddedFolder = serverUrl ? null : fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-bench-gateway-"));
if (embeddedFolder) fs.chmodSync(embeddedFolder, 0o755);
const embedded = embeddedFolder ? await ensureEmbedded({ base: embeddedFolder }) : null;
const adminUrl = serverUrl ?? embedded!.urlOf("postgres");
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${dbName}`;
const authSecret = randomBytes(33).toString("base64");
process.env.AUTH_SECRET = authSecret;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

let orthanc: RunningOrthanc | null = null;
let server: ChildProcess | null = null;
let database: Database | null = null;
const errors: string[] = [];
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });

try {
  // Built first, with the environment a newcomer's build has (no DATABASE_URL yet).
  await buildIfNeeded();
  await admin.unsafe(`create database ${dbName}`);
  database = openDatabase({ url: dbUrl.toString(), kind: serverUrl ? "server" : "embedded" });
  await runMigrations(database);
  await seedDemo(database);
  const db = database;
  // A demo radiologist and the trust they work for; the studies are that trust's own (permitted).
  const [rad] = rowsOf<{ user_id: string; email: string; trust_id: string; ods_code: string; site_id: string; home_trust_id: string | null }>(
    await db.db.execute(sql`select u.id as user_id, u.email, r.trust_id, t.ods_code, (select id from sites s where s.trust_id = t.id limit 1) as site_id, u.home_trust_id
      from users u join role_assignments r on r.user_id = u.id join trusts t on t.id = r.trust_id
      where r.role = 'radiologist' and r.revoked_at is null and u.status = 'active' order by u.email limit 1`),
  );
  if (!rad) throw new Error("the demo consortium has no radiologist");

  orthanc = await startOrthanc();
  const ae = `${rad.ods_code}_BENCH`.slice(0, 16);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-bench-dicom-"));
  const record = async (uid: string, accession: string, images: number, bytes: number) => {
    await db.db.execute(sql`insert into exams (study_instance_uid, trust_id, site_id, accession_number, modality, performed_at, image_count, size_bytes, patient_nhs_number)
      values (${uid}, ${rad.trust_id}, ${rad.site_id}, ${accession}, 'CT', now() - interval '1 day', ${images}, ${bytes}, '9990000018')`);
  };
  process.stdout.write(`Storing ${studyCount} one-instance studies and one study of ${instances} instances of 512×512×16 bits into Orthanc… `);
  for (let i = 0; i < studyCount; i++) {
    const study = syntheticStudy({ instances: 1 });
    await storeFiles(orthanc, ae, await writeStudyFiles(study, path.join(work, `s${i}`)));
    await record(study.studyInstanceUid, study.accessionNumber, 1, 2_000);
  }
  const big = syntheticStudy({ instances, pixels: 512 });
  await storeFiles(orthanc, ae, await writeStudyFiles(big, path.join(work, "big")));
  await record(big.studyInstanceUid, big.accessionNumber, instances, instances * 524_288);
  fs.rmSync(work, { recursive: true, force: true });
  console.log("done.");

  // A session and a viewer token for the radiologist, as /viewer issues them.
  const { openSession } = await import("@/lib/identity/sign-in");
  const { issueViewerToken } = await import("@/lib/dicomweb/viewer-token");
  const { withSystem } = await import("@/lib/db/scope");
  process.env.DATABASE_URL = dbUrl.toString();
  const session = await withSystem((tx) => openSession(tx, { id: rad.user_id, email: rad.email, homeTrustId: rad.home_trust_id }, { ip: null, userAgent: "bench" }, { method: "bench" }));
  const { token } = await issueViewerToken(rad.user_id, session.id);

  const port = await freePort();
  server = await startNextServer(
    port,
    {
      ...process.env,
      DATABASE_URL: dbUrl.toString(),
      AUTH_SECRET: authSecret,
      DICOMWEB_UPSTREAM_URL: `${orthanc.url}/dicom-web`,
      DICOMWEB_UPSTREAM_USERNAME: orthanc.username,
      DICOMWEB_UPSTREAM_PASSWORD: orthanc.password,
      MOSAIC_CHECKPOINT_LOOP: "off",
      AUDIT_WITNESS_DIR: process.env.AUDIT_WITNESS_DIR || fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-bench-witness-")),
      RATE_LIMIT_API_PER_KEY: "1000000000",
      RATE_LIMIT_API_PER_ADDRESS: "1000000000",
    },
    errors,
  );
  const direct = { base: `${orthanc.url}/dicom-web`, headers: { authorization: `Basic ${Buffer.from(`${orthanc.username}:${orthanc.password}`).toString("base64")}` } };
  const gateway = { base: `http://127.0.0.1:${port}/dicom-web`, headers: { authorization: `Bearer ${token}`, "x-acting-trust": rad.ods_code } };

  /** One request, read to its end: time to the last byte, and the bytes. */
  const timed = async (target: typeof direct, pathAndQuery: string, accept: string, requestId?: string) => {
    const started = performance.now();
    const res = await fetch(`${target.base}/${pathAndQuery}`, { headers: { ...target.headers, accept, ...(requestId ? { "x-request-id": requestId } : {}) } });
    const body = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`${target === direct ? "Orthanc" : "the gateway"} answered ${res.status} to ${pathAndQuery}: ${new TextDecoder().decode(body.slice(0, 300))}`);
    return { ms: performance.now() - started, bytes: body.length };
  };

  // Warm both paths (connections, the build's first compiles, Orthanc's caches).
  for (let i = 0; i < 20; i++) {
    await timed(direct, "studies?limit=50", "application/dicom+json");
    await timed(gateway, "studies?limit=50", "application/dicom+json");
  }
  const qido = { direct: [] as number[], gateway: [] as number[] };
  for (let i = 0; i < qidoRequests; i++) {
    qido.direct.push((await timed(direct, "studies?limit=50", "application/dicom+json")).ms);
    qido.gateway.push((await timed(gateway, "studies?limit=50", "application/dicom+json")).ms);
  }
  const wado = { direct: [] as number[], gateway: [] as number[] };
  const multipart = 'multipart/related; type="application/dicom"; transfer-syntax=*';
  await timed(direct, `studies/${big.studyInstanceUid}`, multipart);
  await timed(gateway, `studies/${big.studyInstanceUid}`, multipart);
  let studyBytes = 0;
  for (let i = 0; i < wadoRounds; i++) {
    const d = await timed(direct, `studies/${big.studyInstanceUid}`, multipart);
    const g = await timed(gateway, `studies/${big.studyInstanceUid}`, multipart);
    studyBytes = g.bytes;
    wado.direct.push(d.bytes / 1e6 / (d.ms / 1000));
    wado.gateway.push(g.bytes / 1e6 / (g.ms / 1000));
  }
  const median = (v: number[]) => percentile(v, 50);
  const qidoRatio = median(qido.gateway) / median(qido.direct);
  const wadoRatio = median(wado.gateway) / median(wado.direct);
  console.log(`\nQIDO-RS study search (limit 50; ${studyCount + 1} studies, all permitted), ${qidoRequests} of each, alternating:`);
  console.log(`  direct  p50 ${ms(median(qido.direct))}  p95 ${ms(percentile(qido.direct, 95))}`);
  console.log(`  gateway p50 ${ms(median(qido.gateway))}  p95 ${ms(percentile(qido.gateway, 95))}`);
  console.log(`  gateway / direct p50: ×${qidoRatio.toFixed(2)} (target ≤ 1.3) ${qidoRatio <= 1.3 ? "MET" : "NOT MET"}`);
  console.log(`\nWADO-RS retrieval of a ${instances}-instance study (${(studyBytes / 1e6).toFixed(1)} MB, multipart), ${wadoRounds} of each, alternating:`);
  console.log(`  direct  median ${median(wado.direct).toFixed(1)} MB/s`);
  console.log(`  gateway median ${median(wado.gateway).toFixed(1)} MB/s`);
  console.log(`  gateway / direct: ×${wadoRatio.toFixed(2)} (target ≥ 0.8) ${wadoRatio >= 0.8 ? "MET" : "NOT MET"}`);

  // kill -9 under a retrieval load: each client retrieves one-instance studies' metadata over and
  // over with its own request ids; the server is killed mid-load; every id answered 200 must have
  // its committed study.retrieve event.
  const small = rowsOf<{ study_instance_uid: string }>(await db.db.execute(sql`select study_instance_uid from exams where image_count = 1`)).map((r) => r.study_instance_uid);
  const answered: string[] = [];
  let stop = false;
  const clientsDone = Array.from({ length: killClients }, async (_, c) => {
    for (let i = 0; !stop; i++) {
      const requestId = `bench-kill-${c}-${i}-${randomBytes(4).toString("hex")}`;
      try {
        await timed(gateway, `studies/${small[(c * 7 + i) % small.length]}/metadata`, "application/dicom+json", requestId);
        answered.push(requestId);
      } catch {
        if (stop) return;
      }
    }
  });
  await new Promise((r) => setTimeout(r, 3000));
  server.kill("SIGKILL");
  stop = true;
  await Promise.all(clientsDone);
  server = null;
  const audited = new Set(
    rowsOf<{ id: string }>(await db.db.execute(sql`select details->>'requestId' as id from audit_events where action = 'study.retrieve' and outcome = 'success' and details->>'requestId' like 'bench-kill-%'`)).map((r) => r.id),
  );
  const missing = answered.filter((id) => !audited.has(id));
  console.log(`\nkill -9 during ${killClients} clients' retrievals: ${answered.length} answered 200, ${missing.length} without their audit event ${missing.length === 0 ? "(every answered retrieval audited)" : "— FAILED"}`);
  printServerErrors(errors);
  if (missing.length) process.exitCode = 1;
} catch (error) {
  printServerErrors(errors);
  throw error;
} finally {
  server?.kill("SIGKILL");
  await orthanc?.stop();
  await database?.close();
  await admin.unsafe(`drop database if exists ${dbName} with (force)`).catch(() => {});
  await admin.end();
  if (embedded) await embedded.stop();
  if (embeddedFolder) fs.rmSync(embeddedFolder, { recursive: true, force: true });
}
