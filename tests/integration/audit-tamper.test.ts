// The tamper matrix: someone who owns the database (triggers switched off, every privilege) edits,
// deletes, inserts, reorders or rewrites audit events, heads and checkpoints, and the verification
// `npm run audit:verify` runs (verifyAuditTrail, held against the witness) must catch each and name
// the first affected event. Each case builds its own small chain across several pages (the page
// size is lowered), checkpoints and witnesses it, then tampers.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditEvents } from "@/db/schema";
import type { ApiCaller } from "@/lib/api-caller";
import type { ChainedFields } from "@/lib/audit/canonical";
import { chainHash, genesisHash } from "@/lib/audit/chain";
import { createCheckpoints, signCheckpoint, verifyAuditTrail, type TrailReport } from "@/lib/audit/checkpoints";
import { ingestAuditEvents } from "@/lib/audit/ingest";
import { auditEventInput } from "@/lib/audit/schemas";
import { generateSigningKeyPem, signingKeyFromPem, type SigningKey } from "@/lib/audit/signing-key";
import { chainState, runVerification } from "@/lib/audit/verify-runs";
import { folderWitness, type Witness } from "@/lib/audit/witness";
import { testDatabase } from "../helpers/database";
import { makeTrust, makeUser, type TestTrust } from "../helpers/factories";

const consortiumCaller: ApiCaller = { clientId: crypto.randomUUID(), keyId: crypto.randomUUID(), name: "test", trustId: null, scopes: ["audit:write"] };
const pageSize = 3;
let keyPem: string;
let key: SigningKey;
let attackerKey: SigningKey;
let witness: Witness;
let actorTrust: TestTrust;

beforeAll(async () => {
  keyPem = generateSigningKeyPem();
  key = await signingKeyFromPem(keyPem);
  attackerKey = await signingKeyFromPem(generateSigningKeyPem());
  witness = folderWitness(fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-witness-")));
  actorTrust = await makeTrust();
});

const db = () => testDatabase().db;
type Row = typeof auditEvents.$inferSelect;

/** n events of a new trust's chain, one a minute from `start` (so that sequence follows the list). */
async function ingest(trust: TestTrust, n: number, start: string) {
  const t0 = new Date(start).getTime();
  const events = Array.from({ length: n }, (_, i) =>
    auditEventInput.parse({
      eventId: crypto.randomUUID(),
      occurredAt: new Date(t0 + i * 60_000).toISOString(),
      action: "study.view",
      outcome: "success",
      actor: { user: "r@tamper.example", trust: actorTrust.odsCode, role: "radiologist" },
      patient: { nhsNumber: "9990000018" },
      study: { studyInstanceUid: `1.2.826.0.9.${i + 1}`, sourceTrust: trust.odsCode, modality: "CT" },
      purpose: "direct_care",
      policy: { id: crypto.randomUUID(), version: 1 },
    }),
  );
  for (let i = 0; i < events.length; i += 2_000) await ingestAuditEvents(consortiumCaller, events.slice(i, i + 2_000));
}

const checkpoint = async (trust: TestTrust) => {
  const [run] = await createCheckpoints(db(), key, { witness, chains: [trust.id], pageSize });
  expect(run).toMatchObject({ status: "signed" });
};

/**
 * A chain of 9 events over three pages, witnessed at 5 and at 9: a checkpoint behind the head and
 * one at it. `start` puts the events in a month of their own where a case removes a partition.
 */
async function chain(opts: { start?: string; events?: number } = {}): Promise<{ trust: TestTrust; rows: Row[] }> {
  const trust = await makeTrust();
  const n = opts.events ?? 9;
  const start = opts.start ?? "2026-04-02T08:00:00.000Z";
  await ingest(trust, Math.min(5, n), start);
  await checkpoint(trust);
  if (n > 5) {
    await ingest(trust, n - 5, new Date(new Date(start).getTime() + 10 * 60_000).toISOString());
    await checkpoint(trust);
  }
  const rows = await db().select().from(auditEvents).where(eq(auditEvents.chain, trust.id)).orderBy(auditEvents.seq);
  expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  return { trust, rows };
}

type Owner = Parameters<Parameters<ReturnType<typeof db>["transaction"]>[0]>[0];
/** As the database's owner, with the append-only triggers off. */
const tamper = (fn: (tx: Owner) => Promise<unknown>) =>
  db().transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await fn(tx);
  });

const verify = (trust: TestTrust, mode: "full" | "since_checkpoint" = "full") =>
  verifyAuditTrail(db(), { publicJwks: key.verifyingJwks, witness, mode, pageSize, inScope: (c) => c === trust.id });

/** Every problem a report names, as [where, seq, problem], in the order the report gives them. */
function problems(report: TrailReport): [string, number, string][] {
  return [
    ...(report.witness?.failures ?? []).map((f): [string, number, string] => ["witness", f.seq, f.problem]),
    ...(report.checkpoints?.failures ?? []).map((f): [string, number, string] => ["checkpoint", f.seq, f.problem]),
    ...report.vanished.map((b): [string, number, string] => ["vanished", b.seq, b.problem]),
    ...report.chains.flatMap((c) => (c.firstBreak ? [["walk", c.firstBreak.seq, c.firstBreak.problem] as [string, number, string]] : [])),
  ];
}

/** Rewrites the chain from `seq` on with every link and hash recomputed, head included (what a walk alone passes). */
async function rewriteFrom(tx: Owner, trust: TestTrust, seq: number, edit: (r: Row) => Partial<Row>) {
  const rows = await tx.select().from(auditEvents).where(eq(auditEvents.chain, trust.id)).orderBy(auditEvents.seq);
  let prev = rows.find((r) => r.seq === seq - 1)?.hash ?? genesisHash;
  for (const row of rows.filter((r) => r.seq >= seq)) {
    const changed = { ...row, ...edit(row) };
    const hash = chainHash(prev, changed as ChainedFields);
    await tx.execute(
      sql`update audit_events set action = ${changed.action}, patient_nhs_number = ${changed.patientNhsNumber}, prev_hash = ${prev}, hash = ${hash} where id = ${row.id}`,
    );
    prev = hash;
  }
  await tx.execute(sql`update audit_chain_heads set hash = ${prev} where chain = ${trust.id}`);
}

describe("the tamper matrix", () => {
  it("passes an untouched chain, from genesis and from its latest witnessed checkpoint", async () => {
    const { trust } = await chain();
    const full = await verify(trust);
    expect(problems(full)).toEqual([]);
    expect(full.ok).toBe(true);
    expect(full.chains).toEqual([expect.objectContaining({ chain: trust.id, ok: true, events: 9, from: 0 })]);
    expect(full.witness).toMatchObject({ ok: true, witnessed: expect.any(Number) });
    const since = await verify(trust, "since_checkpoint");
    expect(since.chains).toEqual([expect.objectContaining({ ok: true, events: 0, from: 9 })]);
  });

  // One case per chained column (prev_hash and hash too), each on the middle event.
  const columnEdits: [string, ReturnType<typeof sql>][] = [
    ["id", sql`id = gen_random_uuid()`],
    ["occurred_at", sql`occurred_at = occurred_at + interval '1 second'`],
    ["occurred_at, under a millisecond", sql`occurred_at = occurred_at + interval '300 microseconds'`],
    ["recorded_at", sql`recorded_at = recorded_at - interval '1 minute'`],
    ["recorded_at, under a millisecond", sql`recorded_at = recorded_at + interval '1 microsecond'`],
    ["action", sql`action = 'study.download'`],
    ["outcome", sql`outcome = 'denied'`],
    ["actor_user_id", sql`actor_user_id = gen_random_uuid()`],
    ["actor_email", sql`actor_email = 'someone.else@tamper.example'`],
    ["actor_trust_id", sql`actor_trust_id = gen_random_uuid()`],
    ["actor_role", sql`actor_role = 'ig_officer'`],
    ["source_trust_id", sql`source_trust_id = gen_random_uuid()`],
    ["patient_nhs_number", sql`patient_nhs_number = '9990000026'`],
    ["study_instance_uid", sql`study_instance_uid = '1.2.3.4'`],
    ["accession_number", sql`accession_number = 'ACC-FORGED'`],
    ["modality", sql`modality = 'MR'`],
    ["purpose", sql`purpose = 'research'`],
    ["policy_id", sql`policy_id = gen_random_uuid()`],
    ["policy_version", sql`policy_version = 2`],
    ["break_glass_justification", sql`break_glass_justification = 'emergency'`],
    ["ip", sql`ip = '10.9.9.9'`],
    ["workstation", sql`workstation = 'forged-ws'`],
    ["target_type", sql`target_type = 'forged'`],
    ["target_id", sql`target_id = 'x'`],
    ["details", sql`details = '{"note":"forged"}'::jsonb`],
    ["prev_hash", sql`prev_hash = ${"a".repeat(64)}`],
    ["hash", sql`hash = ${"b".repeat(64)}`],
  ];
  it.each(columnEdits)("names an event whose %s was updated", async (column, set) => {
    const { trust, rows } = await chain();
    const target = rows[3]!;
    await tamper((tx) => tx.execute(sql`update audit_events set ${set} where chain = ${trust.id} and seq = ${target.seq}`));
    const report = await verify(trust);
    expect(report.ok).toBe(false);
    const walk = report.chains[0]?.firstBreak;
    expect(walk).toMatchObject({ seq: 4, problem: column === "prev_hash" ? "broken_link" : "hash_mismatch" });
    // The event is named by its id (as it now reads: the id itself may be the edit).
    if (column !== "id") expect(walk?.eventId).toBe(target.id);
  });

  it.each([
    ["the first", 1, "sequence_gap"],
    ["a middle", 5, "sequence_gap"],
    ["the page's last (a page boundary)", pageSize * 2, "sequence_gap"],
    ["the last", 9, "missing_event"],
  ] as const)("names %s event deleted", async (_, seq, problem) => {
    const { trust } = await chain();
    await tamper((tx) => tx.execute(sql`delete from audit_events where chain = ${trust.id} and seq = ${seq}`));
    const report = await verify(trust);
    expect(report.ok).toBe(false);
    expect(report.chains[0]?.firstBreak).toMatchObject({ seq, problem });
  });

  it("names an event deleted at a page boundary with the head moved back over it, whatever the page size", async () => {
    const { trust, rows } = await chain();
    const boundary = pageSize * 2;
    await tamper(async (tx) => {
      await tx.execute(sql`delete from audit_events where chain = ${trust.id} and seq = ${boundary}`);
      await tx.execute(sql`update audit_events set action = 'study.download' where chain = ${trust.id} and seq = ${boundary + 1}`);
      await tx.execute(sql`update audit_chain_heads set seq = ${boundary - 1}, hash = ${rows[boundary - 2]!.hash} where chain = ${trust.id}`);
    });
    const report = await verify(trust);
    expect(report.chains[0]?.firstBreak).toMatchObject({ seq: boundary, problem: "beyond_head" });
    // And the witness: its checkpoint at 9 is past the head now.
    expect(report.witness?.failures).toEqual([expect.objectContaining({ seq: 9, problem: "head_behind" })]);
  });

  it("names an event deleted at the real page boundary (5,000) with the head moved back", async () => {
    const { trust } = await chain({ events: 5_002, start: "2026-03-01T00:00:00.000Z" });
    const [before] = await db().select({ hash: auditEvents.hash }).from(auditEvents).where(sql`${auditEvents.chain} = ${trust.id} and ${auditEvents.seq} = 4999`);
    await tamper(async (tx) => {
      await tx.execute(sql`delete from audit_events where chain = ${trust.id} and seq = 5000`);
      await tx.execute(sql`update audit_events set action = 'study.download' where chain = ${trust.id} and seq = 5001`);
      await tx.execute(sql`update audit_chain_heads set seq = 4999, hash = ${before!.hash} where chain = ${trust.id}`);
    });
    // The walk at the real page size, as npm run audit:verify walks.
    const report = await verifyAuditTrail(db(), { publicJwks: key.verifyingJwks, witness, mode: "full", inScope: (c) => c === trust.id });
    expect(report.chains[0]?.firstBreak).toMatchObject({ seq: 5000, problem: "beyond_head" });
    expect(report.witness?.failures).toEqual([expect.objectContaining({ seq: 5002, problem: "head_behind" })]);
  });

  it("names a forged event inserted with a wrong hash, and one with its hash recomputed", async () => {
    for (const recompute of [false, true]) {
      const { trust, rows } = await chain();
      const after = rows[3]!; // the forged event claims to come after event 4
      const forged: ChainedFields = { ...after, id: crypto.randomUUID(), seq: 5, action: "study.download", occurredAt: new Date(after.occurredAt.getTime() + 1_000) };
      const hash = recompute ? chainHash(after.hash, forged) : "c".repeat(64);
      await tamper((tx) =>
        tx.execute(sql`insert into audit_events (id, occurred_at, recorded_at, chain, seq, prev_hash, hash, action, outcome)
          values (${forged.id}, ${forged.occurredAt.toISOString()}, ${forged.recordedAt.toISOString()}, ${trust.id}, 5, ${after.hash}, ${hash}, 'study.download', 'success')`),
      );
      const report = await verify(trust);
      expect(report.ok).toBe(false);
      // Sequence 5 is now held twice: the walk stops there, at the forgery or at the event it displaces.
      expect(report.chains[0]?.firstBreak).toMatchObject({ seq: 5 });
      expect(["hash_mismatch", "broken_link"]).toContain(report.chains[0]?.firstBreak?.problem);
    }
  });

  it("names two events swapped (their sequence numbers exchanged)", async () => {
    const { trust } = await chain();
    await tamper(async (tx) => {
      await tx.execute(sql`update audit_events set seq = -1 where chain = ${trust.id} and seq = 3`);
      await tx.execute(sql`update audit_events set seq = 3 where chain = ${trust.id} and seq = 4`);
      await tx.execute(sql`update audit_events set seq = 4 where chain = ${trust.id} and seq = -1`);
    });
    expect((await verify(trust)).chains[0]?.firstBreak).toMatchObject({ seq: 3, problem: "broken_link" });
  });

  it("names an event moved to another chain, in both chains", async () => {
    const { trust } = await chain();
    const { trust: other } = await chain();
    await tamper((tx) => tx.execute(sql`update audit_events set chain = ${other.id} where chain = ${trust.id} and seq = 7`));
    expect((await verify(trust)).chains[0]?.firstBreak).toMatchObject({ seq: 7, problem: "sequence_gap" });
    const there = await verify(other);
    expect(there.chains[0]?.firstBreak).toMatchObject({ seq: 7 });
  });

  it("names a tail deleted with the head moved back to a consistent point", async () => {
    const { trust, rows } = await chain();
    await tamper(async (tx) => {
      await tx.execute(sql`delete from audit_events where chain = ${trust.id} and seq > 6`);
      await tx.execute(sql`update audit_chain_heads set seq = 6, hash = ${rows[5]!.hash} where chain = ${trust.id}`);
    });
    const report = await verify(trust);
    // The walk to the new head passes; the witness knows the chain reached 9.
    expect(report.chains[0]).toMatchObject({ ok: true, headSeq: 6 });
    expect(report.witness?.failures).toEqual([expect.objectContaining({ seq: 9, problem: "event_missing" })]);
    expect(report.checkpoints?.failures).toEqual([expect.objectContaining({ seq: 9, problem: "event_missing" })]);
    expect(report.ok).toBe(false);
    // And the checkpointer refuses to sign on.
    await ingest(trust, 1, "2026-04-02T10:00:00.000Z");
    expect((await createCheckpoints(db(), key, { witness, chains: [trust.id], pageSize }))[0]).toMatchObject({ status: "broken" });
  });

  it.each([1, 5, 7])("names a chain rewritten from event %i with every hash recomputed, and checkpoints the attacker signs with their own key fail", async (from) => {
    const { trust } = await chain();
    await tamper(async (tx) => {
      await rewriteFrom(tx, trust, from, () => ({ patientNhsNumber: "9990000026" }));
      // The attacker deletes the checkpoints that pin the old events and signs new ones with a key of their own.
      await tx.execute(sql`delete from audit_checkpoints where chain = ${trust.id}`);
      const [head] = await tx.execute(sql`select seq, hash from audit_chain_heads where chain = ${trust.id}`).then((r) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as { seq: string | number; hash: string }[]);
      const payload = { chain: trust.id, seq: Number(head!.seq), hash: head!.hash, signedAt: new Date().toISOString() };
      await tx.execute(sql`insert into audit_checkpoints (chain, seq, hash, signed_at, key_id, signature)
        values (${trust.id}, ${payload.seq}, ${payload.hash}, now(), ${key.keyId}, ${await signCheckpoint(payload, { ...attackerKey, keyId: key.keyId })})`);
    });
    const report = await verify(trust);
    expect(report.chains[0]).toMatchObject({ ok: true }); // consistent: only what is signed outside catches it
    expect(report.checkpoints?.failures).toEqual([expect.objectContaining({ seq: 9, problem: "bad_signature" })]);
    // The witness names the checkpoints deleted, and the first witnessed checkpoint at or after the rewrite.
    expect(report.witness?.failures).toEqual([
      expect.objectContaining({ seq: 5, problem: "checkpoint_deleted" }),
      expect.objectContaining({ seq: from <= 5 ? 5 : 9, problem: "hash_mismatch" }),
    ]);
    expect(report.ok).toBe(false);
  });

  it("names checkpoints deleted from the database, even with the chain untouched", async () => {
    const { trust } = await chain();
    await tamper((tx) => tx.execute(sql`delete from audit_checkpoints where chain = ${trust.id} and seq = 9`));
    const report = await verify(trust);
    expect(problems(report)).toEqual([["witness", 9, "checkpoint_deleted"]]);
    expect(report.witness?.failures[0]?.message).toMatch(/checkpoints were deleted/);
    // The walk since the checkpoint starts at the latest witnessed checkpoint that holds, not a database-only one.
    const since = await verify(trust, "since_checkpoint");
    expect(since.chains[0]).toMatchObject({ ok: true, from: 5, events: 4 });
  });

  it("names the tail rewritten after the checkpoints pinning it were deleted", async () => {
    const { trust } = await chain();
    await tamper(async (tx) => {
      await tx.execute(sql`delete from audit_checkpoints where chain = ${trust.id} and seq = 9`);
      await rewriteFrom(tx, trust, 7, () => ({ action: "study.print" }));
    });
    const report = await verify(trust, "since_checkpoint");
    expect(report.chains[0]).toMatchObject({ ok: true, from: 5 });
    expect(report.witness?.failures).toEqual([
      expect.objectContaining({ seq: 9, problem: "checkpoint_deleted" }),
      expect.objectContaining({ seq: 9, problem: "hash_mismatch" }),
    ]);
    expect(report.ok).toBe(false);
  });

  it("names a chain head deleted", async () => {
    const { trust } = await chain();
    await tamper((tx) => tx.execute(sql`delete from audit_chain_heads where chain = ${trust.id}`));
    const report = await verify(trust);
    expect(report.vanished).toEqual([expect.objectContaining({ chain: trust.id, seq: 1, problem: "head_missing" })]);
    expect(report.witness?.failures).toEqual([expect.objectContaining({ seq: 5, problem: "head_behind" })]);
    expect(report.ok).toBe(false);
  });

  it("names a whole chain deleted with its head and checkpoints", async () => {
    const { trust } = await chain();
    await tamper(async (tx) => {
      await tx.execute(sql`delete from audit_events where chain = ${trust.id}`);
      await tx.execute(sql`delete from audit_checkpoints where chain = ${trust.id}`);
      await tx.execute(sql`delete from audit_chain_heads where chain = ${trust.id}`);
    });
    const report = await verify(trust);
    expect(report.chains).toEqual([]);
    expect(report.vanished).toEqual([expect.objectContaining({ chain: trust.id, problem: "head_missing", message: expect.stringMatching(/in the witness/) })]);
    expect(report.witness?.failures).toEqual([
      expect.objectContaining({ seq: 5, problem: "checkpoint_deleted" }),
      expect.objectContaining({ seq: 5, problem: "event_missing" }),
    ]);
    expect(report.ok).toBe(false);
  });

  it("names the events of a truncated partition", async () => {
    const { trust } = await chain({ start: "2025-01-10T08:00:00.000Z" });
    await tamper((tx) => tx.execute(sql`truncate audit_events_2025_01`));
    const report = await verify(trust);
    expect(report.chains[0]?.firstBreak).toMatchObject({ seq: 1, problem: "sequence_gap" });
    expect(report.witness?.failures).toEqual([expect.objectContaining({ seq: 5, problem: "event_missing" })]);
  });

  it("names the events of a detached partition", async () => {
    const { trust } = await chain({ start: "2025-02-10T08:00:00.000Z" });
    await tamper((tx) => tx.execute(sql`alter table audit_events detach partition audit_events_2025_02`));
    const report = await verify(trust);
    expect(report.chains[0]?.firstBreak).toMatchObject({ seq: 1, problem: "sequence_gap" });
    expect(report.witness?.failures).toEqual([expect.objectContaining({ seq: 5, problem: "event_missing" })]);
  });
});

describe("the checkpointer", () => {
  it("counts a checkpoint only once the witness has it: a failed publish leaves no checkpoint in the database", async () => {
    const trust = await makeTrust();
    await ingest(trust, 2, "2026-04-03T08:00:00.000Z");
    const failing: Witness = { ...witness, description: "a witness that is down", publish: () => Promise.reject(new Error("witness unreachable")) };
    await expect(createCheckpoints(db(), key, { witness: failing, chains: [trust.id] })).rejects.toThrow(/witness unreachable/);
    expect(await db().execute(sql`select 1 from audit_checkpoints where chain = ${trust.id}`).then((r) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows).length)).toBe(0);
    // Once it is back, the same head is signed and witnessed.
    await checkpoint(trust);
    expect((await witness.list(trust.id)).map((e) => e.seq)).toEqual([2]);
  });

  it("refuses to sign a rewritten chain even when the witness was emptied, while a checkpoint in the database still pins it", async () => {
    const { trust } = await chain();
    await tamper((tx) => rewriteFrom(tx, trust, 2, () => ({ action: "study.print" })));
    const empty = folderWitness(fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-witness-empty-")));
    expect((await createCheckpoints(db(), key, { witness: empty, chains: [trust.id], pageSize }))[0]).toMatchObject({ status: "broken", seq: 9 });
    expect(await empty.list(trust.id)).toEqual([]);
  });
});

describe("the verify page's run, as a trust's IG officer", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("names the chain whose head was deleted, and the checkpoints deleted, as npm run audit:verify does", async () => {
    vi.stubEnv("AUDIT_SIGNING_KEY", keyPem);
    const { trust } = await chain();
    const ig = await makeUser([{ role: "ig_officer", trustId: trust.id }]);
    const before = await runVerification(ig, "since_checkpoint", 1_000_000, witness);
    expect(before.chains.map(chainState)).toEqual(["intact"]);
    expect(before.checkpoints).toMatchObject({ ok: true, latest: [expect.objectContaining({ chain: trust.id, seq: 9 })] });

    await tamper((tx) => tx.execute(sql`delete from audit_checkpoints where chain = ${trust.id} and seq = 9`));
    const deleted = await runVerification(ig, "since_checkpoint", 1_000_000, witness);
    expect(deleted.checkpoints).toMatchObject({ ok: false, failures: [expect.objectContaining({ seq: 9, message: expect.stringMatching(/checkpoints were deleted/) })] });

    await tamper((tx) => tx.execute(sql`delete from audit_chain_heads where chain = ${trust.id}`));
    const headless = await runVerification(ig, "since_checkpoint", 1_000_000, witness);
    expect(headless.chains).toContainEqual(expect.objectContaining({ chain: trust.id, ok: false, firstBreak: expect.objectContaining({ problem: "head_missing" }) }));
  });
});
