// Audit ingest rate through POST /api/v1/audit-events (hash chain, idempotency, alert rules
// included) against a raw COPY of the same rows into the same table of the same PostgreSQL server,
// in the same run. DESIGN.md's target: the API at least half the rate of COPY.
//
// The API is served over real HTTP on a loopback port (node:http in front of the route handler, the
// way Next hands it a Request) with the demo PACS's key; bodies are serialised before timing, as a
// PACS would have them ready. The two paths alternate batch by batch, so that the machine's noise
// falls on both alike. A throwaway database is made on the server and dropped afterwards.
//
//   npm run bench:audit-ingest
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_EVENTS=100000 BENCH_BATCH=5000 BENCH_PORT=3701
import http from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { POST } from "@/app/api/v1/audit-events/route";
import { openDatabase, rowsOf, useDatabase } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { seedDemo } from "@/demo/seed-demo";
import { chainHash, genesisHash } from "@/lib/audit/chain";
import type { ChainedFields } from "@/lib/audit/canonical";
import { nhsCheckDigit } from "@/lib/nhs-number";

const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const total = Number(process.env.BENCH_EVENTS ?? 100_000);
const batch = Number(process.env.BENCH_BATCH ?? 5_000);
const port = Number(process.env.BENCH_PORT ?? 3701);

const dbName = `mosaic_bench_ingest_${Date.now().toString(36)}`;
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${dbName}`);
const url = new URL(serverUrl);
url.pathname = `/${dbName}`;
const database = openDatabase({ url: url.toString() });
// eslint-disable-next-line react-hooks/rules-of-hooks -- not a React hook: points lib/ at this database
useDatabase(database);
const raw = postgres(url.toString(), { max: 1, onnotice: () => {} });

// node:http → Request → the route handler → Response, as the App Router does it.
const server = http.createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const request = new Request(`http://127.0.0.1:${port}${req.url}`, {
    method: req.method,
    headers: req.headers as Record<string, string>,
    body: Buffer.concat(chunks),
  });
  const response = await POST(request);
  res.writeHead(response.status, { "content-type": "application/json" });
  res.end(await response.text());
});

try {
  await runMigrations(database);
  const seeded = await seedDemo(database);
  if (seeded.outcome !== "seeded") throw new Error("expected a fresh database");
  const key = seeded.demoApiKey;
  const trusts = rowsOf<{ id: string; ods_code: string }>(await database.db.execute(sql`select id, ods_code from trusts order by ods_code`));
  const idOf = new Map(trusts.map((t) => [t.ods_code, t.id]));
  const ods = ["RHM", "RHU", "RNZ", "R1F"];

  // The events: daytime views of the last week at the four trusts, a tenth of them cross-trust under a policy.
  const nhs: string[] = [];
  for (let base = 999_000_001; nhs.length < 20_000; base++) {
    const check = nhsCheckDigit(String(base));
    if (check !== null) nhs.push(`${base}${check}`);
  }
  const day = 86_400_000;
  const midnight = new Date();
  midnight.setUTCHours(0, 0, 0, 0);
  const events = Array.from({ length: total }, (_, i) => {
    const source = ods[i % 4]!;
    const cross = i % 10 === 0;
    const actorTrust = cross ? ods[(i + 1) % 4]! : source;
    const at = new Date(midnight.getTime() - (1 + (i % 6)) * day + (9 * 60 + (i % 480)) * 60_000 + (i % 60) * 1000);
    return {
      eventId: crypto.randomUUID(),
      occurredAt: at.toISOString(),
      action: i % 3 === 0 ? "study.query" : "study.view",
      outcome: "success",
      actor: { user: `clinician.${String(i % 300).padStart(3, "0")}@${actorTrust.toLowerCase()}.example`, trust: actorTrust, role: "clinician" },
      patient: { nhsNumber: nhs[i % nhs.length]! },
      study: { studyInstanceUid: `1.2.826.0.1.3680043.8.498.${1 + (i % 4)}.${1 + Math.floor(i / 3)}`, accessionNumber: `${source}${String(i).padStart(8, "0")}`, sourceTrust: source, modality: "CT" },
      purpose: "direct_care",
      policy: cross ? { id: "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b", version: 1 } : null,
      breakGlassJustification: null,
      source: { ip: "10.20.30.40", workstation: `${source}01-OPD-07` },
    };
  });
  type Event = (typeof events)[number];

  // The same rows as ingest stores them, for COPY: own ids and chains (so both land in the same
  // table side by side), hashes computed before timing (COPY is given finished rows).
  const columns = [
    "id", "occurred_at", "recorded_at", "chain", "seq", "prev_hash", "hash", "action", "outcome", "actor_user_id", "actor_email", "actor_trust_id",
    "actor_role", "source_trust_id", "patient_nhs_number", "study_instance_uid", "accession_number", "modality", "purpose", "policy_id",
    "policy_version", "break_glass_justification", "ip", "workstation", "target_type", "target_id", "details",
  ];
  const heads = new Map<string, { seq: number; hash: string }>();
  const escape = (v: unknown) => (v === null || v === undefined ? "\\N" : String(v).replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r"));
  const copyText = (slice: Event[]) => {
    const recordedAt = new Date();
    let text = "";
    for (const e of slice) {
      const chain = `copy-${idOf.get(e.study.sourceTrust)}`;
      const head = heads.get(chain) ?? { seq: 0, hash: genesisHash };
      const f: ChainedFields = {
        id: crypto.randomUUID(), chain, seq: head.seq + 1, occurredAt: new Date(e.occurredAt), recordedAt, action: e.action, outcome: e.outcome,
        actorUserId: null, actorEmail: e.actor.user, actorTrustId: idOf.get(e.actor.trust)!, actorRole: e.actor.role, sourceTrustId: idOf.get(e.study.sourceTrust)!,
        patientNhsNumber: e.patient.nhsNumber, studyInstanceUid: e.study.studyInstanceUid, accessionNumber: e.study.accessionNumber, modality: e.study.modality,
        purpose: e.purpose, policyId: e.policy?.id ?? null, policyVersion: e.policy?.version ?? null, breakGlassJustification: null, ip: e.source.ip,
        workstation: e.source.workstation, targetType: "study", targetId: e.study.studyInstanceUid, details: null,
      };
      const hash = chainHash(head.hash, f);
      heads.set(chain, { seq: f.seq, hash });
      const values = [f.id, f.occurredAt.toISOString(), f.recordedAt.toISOString(), f.chain, f.seq, head.hash, hash, f.action, f.outcome, f.actorUserId, f.actorEmail, f.actorTrustId,
        f.actorRole, f.sourceTrustId, f.patientNhsNumber, f.studyInstanceUid, f.accessionNumber, f.modality, f.purpose, f.policyId, f.policyVersion, f.breakGlassJustification,
        f.ip, f.workstation, f.targetType, f.targetId, null];
      text += values.map(escape).join("\t") + "\n";
    }
    return text;
  };

  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/audit-events`;
  const postBatch = async (body: string) => {
    const res = await fetch(endpoint, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body });
    const answer = await res.text();
    if (res.status !== 200) throw new Error(`API answered ${res.status}: ${answer.slice(0, 300)}`);
    return JSON.parse(answer) as { accepted: number; duplicates: number };
  };
  const copyBatch = async (text: string) => {
    const stream = await raw`copy audit_events (${raw.unsafe(columns.join(", "))}) from stdin`.writable();
    stream.end(text);
    await once(stream, "finish");
  };

  // Warm up both paths (partitions made, statements planned, JIT of the hot code).
  const warm = events.splice(0, Math.min(batch, 1_000));
  await postBatch(JSON.stringify({ events: warm }));
  await copyBatch(copyText(warm));

  let apiMs = 0;
  let copyMs = 0;
  let sent = 0;
  for (let i = 0; i < events.length; i += batch) {
    const slice = events.slice(i, i + batch);
    const body = JSON.stringify({ events: slice });
    const text = copyText(slice);
    let t = performance.now();
    const answer = await postBatch(body);
    apiMs += performance.now() - t;
    if (answer.accepted !== slice.length) throw new Error(`the API accepted ${answer.accepted} of ${slice.length}`);
    t = performance.now();
    await copyBatch(text);
    copyMs += performance.now() - t;
    sent += slice.length;
    process.stdout.write(`\r  ${sent.toLocaleString("en-GB")} / ${events.length.toLocaleString("en-GB")} events each way`);
  }
  process.stdout.write("\n");
  const [stored] = rowsOf<{ api: string; copy: string }>(
    await database.db.execute(sql`select count(*) filter (where chain not like 'copy-%') as api, count(*) filter (where chain like 'copy-%') as copy from audit_events where target_type = 'study'`),
  );
  const apiRate = (sent / apiMs) * 1000;
  const copyRate = (sent / copyMs) * 1000;
  console.log(`Rows stored: API ${Number(stored?.api).toLocaleString("en-GB")}, COPY ${Number(stored?.copy).toLocaleString("en-GB")} (batches of ${batch.toLocaleString("en-GB")})`);
  console.log(`POST /api/v1/audit-events  ${apiRate.toFixed(0).padStart(8)} events/s  (${(apiMs / 1000).toFixed(1)} s)`);
  console.log(`COPY audit_events          ${copyRate.toFixed(0).padStart(8)} rows/s    (${(copyMs / 1000).toFixed(1)} s)`);
  console.log(`API / COPY: ${(apiRate / copyRate).toFixed(2)} (target ≥ 0.50) ${apiRate / copyRate >= 0.5 ? "ok" : "MISSED"}`);
} finally {
  server.close();
  await raw.end();
  await database.close();
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
}
