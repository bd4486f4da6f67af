import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditCheckpoints, auditEvents } from "@/db/schema";
import type { ApiCaller } from "@/lib/api-caller";
import type { ChainedFields } from "@/lib/audit/canonical";
import { chainHash, genesisHash } from "@/lib/audit/chain";
import { checkCheckpointExport, createCheckpoints, exportCheckpoints, signCheckpoint, verifyCheckpoints } from "@/lib/audit/checkpoints";
import { ingestAuditEvents } from "@/lib/audit/ingest";
import { auditEventInput } from "@/lib/audit/schemas";
import { generateSigningKeyPem, signingKeyFromPem, type SigningKey } from "@/lib/audit/signing-key";
import { verifyChain } from "@/lib/audit/verify";
import { chainState, runVerification } from "@/lib/audit/verify-runs";
import { testDatabase } from "../helpers/database";
import { dbErrorOf, makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";

// This file's own witness folder (read once, by lib/env.ts, before the first checkpoint).
process.env.AUDIT_WITNESS_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-witness-"));

const consortiumCaller: ApiCaller = { clientId: crypto.randomUUID(), keyId: crypto.randomUUID(), name: "test", trustId: null, scopes: ["audit:write"] };
let keyPem: string;
let key: SigningKey;
let otherKey: SigningKey;
let actorTrust: TestTrust;

beforeAll(async () => {
  keyPem = generateSigningKeyPem();
  key = await signingKeyFromPem(keyPem);
  otherKey = await signingKeyFromPem(generateSigningKeyPem());
  actorTrust = await makeTrust();
});

async function ingest(trust: TestTrust, n: number) {
  const events = Array.from({ length: n }, (_, i) =>
    auditEventInput.parse({
      eventId: crypto.randomUUID(),
      occurredAt: `2026-04-0${1 + (i % 9)}T10:30:00+01:00`,
      action: "study.view",
      outcome: "success",
      actor: { user: "r@rhu.example", trust: actorTrust.odsCode, role: "radiologist" },
      patient: { nhsNumber: "9990000018" },
      study: { studyInstanceUid: `1.2.826.0.1.${i + 1}`, sourceTrust: trust.odsCode, modality: "CT" },
      purpose: "direct_care",
      policy: { id: crypto.randomUUID(), version: 1 },
    }),
  );
  await ingestAuditEvents(consortiumCaller, events);
}

const db = () => testDatabase().db;
const runOf = async (chain: string, k = key) => (await createCheckpoints(db(), k)).find((r) => r.chain === chain);

// Someone with superuser access switches the triggers off and tampers.
async function tamper(fn: (tx: Parameters<Parameters<ReturnType<typeof db>["transaction"]>[0]>[0]) => Promise<void>) {
  await db().transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await fn(tx);
  });
}

describe("signed checkpoints", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("signs each chain whose head moved, once, and they verify", async () => {
    const trust = await makeTrust();
    await ingest(trust, 3);
    expect(await runOf(trust.id)).toMatchObject({ status: "signed", seq: 3 });
    expect(await runOf(trust.id)).toMatchObject({ status: "unchanged", seq: 3 });
    await ingest(trust, 2);
    expect(await runOf(trust.id)).toMatchObject({ status: "signed", seq: 5 });
    const rows = await db().select().from(auditCheckpoints).where(eq(auditCheckpoints.chain, trust.id)).orderBy(auditCheckpoints.seq);
    expect(rows.map((r) => [r.seq, r.keyId])).toEqual([
      [3, key.keyId],
      [5, key.keyId],
    ]);
    const report = await verifyCheckpoints(db(), key.publicJwk);
    expect(report.checked).toBeGreaterThanOrEqual(2);
    expect(report.failures.filter((f) => f.chain === trust.id)).toEqual([]);
  });

  it("are append-only: the app role cannot change them, and triggers refuse even the owner", async () => {
    const trust = await makeTrust();
    await ingest(trust, 1);
    await runOf(trust.id);
    const asApp = (query: ReturnType<typeof sql>) =>
      db().transaction(async (tx) => {
        await tx.execute(sql`select set_config('role', 'mosaic_app', true), set_config('mosaic.scope_all', 'on', true)`);
        await tx.execute(query);
      });
    expect(await dbErrorOf(asApp(sql`update audit_checkpoints set seq = 1 where chain = ${trust.id}`))).toMatch(/permission denied/);
    expect(await dbErrorOf(asApp(sql`delete from audit_checkpoints where chain = ${trust.id}`))).toMatch(/permission denied/);
    expect(await dbErrorOf(ownerQuery(sql`update audit_checkpoints set hash = ${"f".repeat(64)} where chain = ${trust.id}`))).toMatch(/append-only/);
    expect(await dbErrorOf(ownerQuery(sql`delete from audit_checkpoints where chain = ${trust.id}`))).toMatch(/append-only/);
    expect(await dbErrorOf(ownerQuery(sql`truncate audit_checkpoints`))).toMatch(/append-only/);
  });

  it("catch a chain rewritten consistently from scratch, which the chain walk alone passes", async () => {
    const trust = await makeTrust();
    await ingest(trust, 4);
    expect(await runOf(trust.id)).toMatchObject({ status: "signed", seq: 4 });

    // Change the patient of event 2 and recompute every hash and link from genesis, head included.
    await tamper(async (tx) => {
      const rows = await tx.select().from(auditEvents).where(eq(auditEvents.chain, trust.id)).orderBy(auditEvents.seq);
      let prev = genesisHash;
      for (const row of rows) {
        const fields: ChainedFields = { ...row, patientNhsNumber: row.seq === 2 ? "9990000026" : row.patientNhsNumber };
        const hash = chainHash(prev, fields);
        await tx.execute(sql`update audit_events set patient_nhs_number = ${fields.patientNhsNumber}, prev_hash = ${prev}, hash = ${hash} where id = ${row.id}`);
        prev = hash;
      }
      await tx.execute(sql`update audit_chain_heads set hash = ${prev} where chain = ${trust.id}`);
    });

    expect(await verifyChain(db(), trust.id)).toMatchObject({ ok: true, events: 4 });
    const report = await verifyCheckpoints(db(), key.publicJwk);
    expect(report.ok).toBe(false);
    expect(report.failures).toContainEqual(expect.objectContaining({ chain: trust.id, seq: 4, problem: "hash_mismatch" }));
    // And the next run refuses to bless the rewritten chain.
    await ingest(trust, 1);
    expect(await runOf(trust.id)).toMatchObject({ status: "broken" });
  });

  it("reject a forged signature, a checkpoint signed by another key, and a row that differs from what was signed", async () => {
    const trust = await makeTrust();
    await ingest(trust, 2);
    await runOf(trust.id);
    const [event] = await db().select({ hash: auditEvents.hash }).from(auditEvents).where(eq(auditEvents.chain, trust.id)).orderBy(auditEvents.seq).limit(1);
    const payload = { chain: trust.id, seq: 1, hash: event!.hash, signedAt: "2026-05-01T00:00:00.000Z" };

    // An attacker's key, claiming our key id.
    const forged = await signCheckpoint(payload, { ...otherKey, keyId: key.keyId });
    // A genuine signature with its payload swapped for another sequence number.
    const genuine = await signCheckpoint(payload, key);
    const [h, , s] = genuine.split(".");
    const swapped = `${h}.${Buffer.from(JSON.stringify({ ...payload, seq: 2 })).toString("base64url")}.${s}`;
    const insert = (seq: number, signature: string, keyId = key.keyId) =>
      ownerQuery(sql`insert into audit_checkpoints (chain, seq, hash, signed_at, key_id, signature) values (${trust.id}, ${seq}, ${payload.hash}, now(), ${keyId}, ${signature})`);
    await insert(1, forged);
    await tamper(async (tx) => {
      await tx.execute(sql`insert into audit_checkpoints (chain, seq, hash, signed_at, key_id, signature) values (${trust.id}, 100, ${payload.hash}, now(), ${otherKey.keyId}, ${await signCheckpoint({ ...payload, seq: 100 }, otherKey)})`);
      await tx.execute(sql`insert into audit_checkpoints (chain, seq, hash, signed_at, key_id, signature) values (${trust.id}, 101, ${payload.hash}, now(), ${key.keyId}, ${swapped})`);
      await tx.execute(sql`insert into audit_checkpoints (chain, seq, hash, signed_at, key_id, signature) values (${trust.id}, 102, ${payload.hash}, now(), ${key.keyId}, ${genuine})`);
    });

    const failures = (await verifyCheckpoints(db(), key.publicJwk)).failures.filter((f) => f.chain === trust.id);
    expect(failures.map((f) => [f.seq, f.problem])).toEqual([
      [1, "bad_signature"],
      [100, "unknown_key"],
      [101, "bad_signature"],
      [102, "payload_mismatch"],
    ]);
    // With both public keys, the other key's checkpoint verifies as a signature but points at no event.
    const both = (await verifyCheckpoints(db(), [key.publicJwk, otherKey.publicJwk])).failures.filter((f) => f.chain === trust.id);
    expect(both).toContainEqual(expect.objectContaining({ seq: 100, problem: "event_missing" }));
  });

  it("export as JSON that an auditor checks offline with the public key alone", async () => {
    const trust = await makeTrust();
    await ingest(trust, 2);
    await runOf(trust.id);
    const exported = JSON.parse(JSON.stringify(await exportCheckpoints(db(), [key.publicJwk])));
    expect(exported.publicKeys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", kid: key.keyId });
    expect(exported.publicKeys[0].d).toBeUndefined();
    const mine = { ...exported, checkpoints: exported.checkpoints.filter((c: { chain: string }) => c.chain === trust.id) };
    expect(mine.checkpoints).toEqual([expect.objectContaining({ chain: trust.id, seq: 2, keyId: key.keyId, jws: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) })]);
    expect(await checkCheckpointExport(mine, key.publicJwk)).toEqual({ ok: true, problems: [] });
    const edited = { ...mine, checkpoints: mine.checkpoints.map((c: object) => ({ ...c, hash: "0".repeat(64) })) };
    expect((await checkCheckpointExport(edited, key.publicJwk)).ok).toBe(false);
    expect((await checkCheckpointExport(mine, otherKey.publicJwk)).ok).toBe(false);
  });

  it("go on after the signing key is replaced, when the old key's public half is kept in AUDIT_RETIRED_PUBLIC_KEYS", async () => {
    const trust = await makeTrust();
    await ingest(trust, 2);
    expect(await runOf(trust.id)).toMatchObject({ status: "signed", seq: 2 });
    await ingest(trust, 1);
    // A new key alone cannot vouch for the old checkpoints: checkpointing stops, as for a forgery.
    const newKeyPem = generateSigningKeyPem();
    const alone = await signingKeyFromPem(newKeyPem);
    expect((await createCheckpoints(db(), alone)).find((r) => r.chain === trust.id)).toMatchObject({ status: "broken", seq: 2 });
    // With the old public key kept outside the database, the walk starts at the old checkpoint and the new key signs.
    vi.stubEnv("AUDIT_RETIRED_PUBLIC_KEYS", JSON.stringify([key.publicJwk]));
    const rotated = await signingKeyFromPem(newKeyPem);
    expect(rotated.verifyingJwks.map((k) => k.kid)).toEqual([rotated.keyId, key.keyId]);
    expect((await createCheckpoints(db(), rotated)).find((r) => r.chain === trust.id)).toMatchObject({ status: "signed", seq: 3 });
    expect((await verifyCheckpoints(db(), rotated.verifyingJwks)).failures.filter((f) => f.chain === trust.id)).toEqual([]);
    // A private key there is refused, naming the variable.
    vi.stubEnv("AUDIT_RETIRED_PUBLIC_KEYS", JSON.stringify([{ ...key.publicJwk, d: "secret".padEnd(43, "x") }]));
    await expect(signingKeyFromPem(newKeyPem)).rejects.toThrow(/AUDIT_RETIRED_PUBLIC_KEYS, key 0\.d: holds a private key/);
  });
});

describe("the verify page's run", () => {
  afterEach(() => vi.unstubAllEnvs());

  // Change one event's patient in place, leaving its hash: only a walk over that event notices.
  const editInPlace = (trust: TestTrust, seq: number) =>
    tamper(async (tx) => {
      await tx.execute(sql`update audit_events set patient_nhs_number = '9990000026' where chain = ${trust.id} and seq = ${seq}`);
    });

  it("walks what was added since the latest checkpoint that holds, and from the first event when asked", async () => {
    vi.stubEnv("AUDIT_SIGNING_KEY", keyPem);
    const trust = await makeTrust();
    const ig = await makeUser([{ role: "ig_officer", trustId: trust.id }]);
    await ingest(trust, 4);
    expect(await runOf(trust.id)).toMatchObject({ status: "signed", seq: 4 });
    await ingest(trust, 2);

    const since = await runVerification(ig);
    expect(since.chains).toEqual([expect.objectContaining({ chain: trust.id, ok: true, from: 4, events: 2 })]);
    expect(since.checkpoints).toMatchObject({ ok: true });

    // An event behind the checkpoint edited in place: the walk from the first event names it.
    await editInPlace(trust, 2);
    expect((await runVerification(ig)).chains[0]).toMatchObject({ ok: true, from: 4 });
    const full = await runVerification(ig, "full");
    expect(full.chains[0]).toMatchObject({ ok: false, from: 0, firstBreak: { seq: 2, problem: "hash_mismatch" } });

    // One added since the checkpoint: the default run names it.
    await editInPlace(trust, 6);
    expect((await runVerification(ig)).chains[0]).toMatchObject({ ok: false, from: 4, firstBreak: { seq: 6, problem: "hash_mismatch" } });
  });

  it("reports a chain as not verified, neither intact nor broken, when it holds more events since its checkpoint than a run may walk", async () => {
    const trust = await makeTrust();
    const ig = await makeUser([{ role: "ig_officer", trustId: trust.id }]);
    await ingest(trust, 5);
    // No checkpoint yet: the walk would start at the first event.
    const run = await runVerification(ig, "since_checkpoint", 3);
    expect(run.chains).toEqual([expect.objectContaining({ chain: trust.id, ok: false, events: 0, from: 0, notWalked: 5, firstBreak: null })]);
    expect(run.chains.map(chainState)).toEqual(["not_walked"]);
    const [recorded] = await ownerQuery<{ outcome: string }>(sql`select outcome from audit_events where id = ${run.id}`);
    expect(recorded?.outcome).toBe("failure");
    await expect(runVerification(ig, "full", 3)).rejects.toMatchObject({ code: "CONFLICT" });
    // Within the limit it is walked (each run is an event of the chain too: 5 ingested, 1 run recorded).
    expect((await runVerification(ig, "since_checkpoint", 6)).chains).toEqual([expect.objectContaining({ ok: true, events: 6, from: 0 })]);
  });

  it("starts from the first event where the chain's checkpoint no longer holds, and fails the run", async () => {
    vi.stubEnv("AUDIT_SIGNING_KEY", keyPem);
    const trust = await makeTrust();
    const ig = await makeUser([{ role: "ig_officer", trustId: trust.id }]);
    await ingest(trust, 3);
    await runOf(trust.id);
    // Rewritten from scratch with every hash recomputed: the walk passes, the signature does not.
    await tamper(async (tx) => {
      const rows = await tx.select().from(auditEvents).where(eq(auditEvents.chain, trust.id)).orderBy(auditEvents.seq);
      let prev = genesisHash;
      for (const row of rows) {
        const hash = chainHash(prev, { ...row, action: "study.print" });
        await tx.execute(sql`update audit_events set action = 'study.print', prev_hash = ${prev}, hash = ${hash} where id = ${row.id}`);
        prev = hash;
      }
      await tx.execute(sql`update audit_chain_heads set hash = ${prev} where chain = ${trust.id}`);
    });
    const run = await runVerification(ig);
    expect(run.chains[0]).toMatchObject({ ok: true, from: 0, events: 3 });
    // Named twice: by the witness (what was published outside the database) and by the checkpoint row.
    expect(run.checkpoints).toMatchObject({
      ok: false,
      failures: [expect.objectContaining({ chain: trust.id, seq: 3, message: expect.stringMatching(/witnessed checkpoint/) }), expect.objectContaining({ chain: trust.id, seq: 3 })],
    });
  });
});
