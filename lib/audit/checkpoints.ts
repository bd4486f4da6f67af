import "server-only";
// Signed checkpoints of the audit hash chains. The chain alone shows that no event was edited,
// deleted or inserted relative to its neighbours, but someone with database access could rewrite a
// whole chain from scratch with every hash recomputed. A checkpoint pins a chain's head (sequence
// number and hash) with a signature made by a key that is not in the database; verifying it checks
// that the event at that sequence number still has that hash. Run `npm run audit:checkpoint`
// periodically; what it signs is only as old as the last run.
import { asc, desc, eq, sql } from "drizzle-orm";
import { CompactSign, compactVerify, decodeProtectedHeader, importJWK, type JWK } from "jose";
import { rowsOf, type Db, type Tx } from "@/db/client";
import { auditChainHeads, auditCheckpoints } from "@/db/schema";
import { genesisHash } from "./chain";
import type { SigningKey } from "./signing-key";
import { listChains, verifyChain } from "./verify";

/** What a checkpoint's signature covers. */
export type CheckpointPayload = { chain: string; seq: number; hash: string; signedAt: string };

export const checkpointJwsType = "mosaic-audit-checkpoint+jws";

/**
 * Runs `fn` as the application role with consortium-wide scope: checkpoints concern every chain,
 * and the app role may only add and read them. Repeatable read, so the head and the events of a
 * chain are read from one snapshot while ingest goes on.
 */
function asSystem<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(
    async (tx) => {
      await tx.execute(sql`select set_config('role', 'mosaic_app', true), set_config('mosaic.scope_all', 'on', true)`);
      return fn(tx);
    },
    { isolationLevel: "repeatable read" },
  );
}

/** Signs one checkpoint: a compact JWS (EdDSA) whose header names the key. */
export async function signCheckpoint(payload: CheckpointPayload, key: SigningKey): Promise<string> {
  const body = { chain: payload.chain, seq: payload.seq, hash: payload.hash, signedAt: payload.signedAt };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(body)))
    .setProtectedHeader({ alg: "EdDSA", kid: key.keyId, typ: checkpointJwsType })
    .sign(key.privateKey);
}

type KeyRing = Map<string, CryptoKey | Uint8Array>;

async function keyRing(publicJwks: JWK | JWK[]): Promise<KeyRing> {
  const ring: KeyRing = new Map();
  for (const jwk of Array.isArray(publicJwks) ? publicJwks : [publicJwks]) {
    if (!jwk.kid) throw new Error("A public key for checkpoints needs its kid.");
    const { d: _private, ...pub } = jwk;
    ring.set(jwk.kid, await importJWK(pub, "EdDSA"));
  }
  return ring;
}

/** Checks a checkpoint's signature with the auditor's keys; the signed payload, or why not. */
async function openCheckpoint(jws: string, ring: KeyRing): Promise<{ ok: true; payload: CheckpointPayload } | { ok: false; problem: "unknown_key" | "bad_signature"; message: string }> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(jws).kid;
  } catch {
    return { ok: false, problem: "bad_signature", message: "The signature is not a JWS." };
  }
  const key = kid ? ring.get(kid) : undefined;
  if (!key) return { ok: false, problem: "unknown_key", message: `Signed by a key that is not among the public keys given (kid ${kid ?? "none"}).` };
  try {
    const { payload, protectedHeader } = await compactVerify(jws, key, { algorithms: ["EdDSA"] });
    if (protectedHeader.typ !== checkpointJwsType) return { ok: false, problem: "bad_signature", message: "The JWS is not a Mosaic audit checkpoint." };
    const p = JSON.parse(new TextDecoder().decode(payload)) as CheckpointPayload;
    return { ok: true, payload: { chain: String(p.chain), seq: Number(p.seq), hash: String(p.hash), signedAt: String(p.signedAt) } };
  } catch {
    return { ok: false, problem: "bad_signature", message: "The signature does not verify: the checkpoint was forged or altered." };
  }
}

export type CheckpointRun = { chain: string; status: "signed" | "unchanged" | "empty" | "broken"; seq: number; message: string };

/**
 * Signs a checkpoint of every chain whose head moved since its last checkpoint. The events since
 * that checkpoint are walked first (from genesis for a chain's first checkpoint), and a chain that
 * does not verify is not signed: a signature must never bless a tampered chain.
 */
export async function createCheckpoints(
  db: Db,
  key: SigningKey,
  options: { now?: () => Date; onProgress?: (walked: number, toWalk: number) => void } = {},
): Promise<CheckpointRun[]> {
  const now = options.now ?? (() => new Date());
  const { chains, toWalk } = await asSystem(db, async (tx) => {
    const [pending] = rowsOf<{ n: string | number | null }>(
      await tx.execute(sql`select sum(h.seq - coalesce(c.seq, 0)) as n from audit_chain_heads h
        left join (select chain, max(seq) as seq from audit_checkpoints group by chain) c on c.chain = h.chain`),
    );
    return { chains: await listChains(tx), toWalk: Math.max(0, Number(pending?.n ?? 0)) };
  });
  // A last checkpoint signed by a key this one replaced still counts (AUDIT_RETIRED_PUBLIC_KEYS).
  const ring = await keyRing(key.verifyingJwks);
  const runs: CheckpointRun[] = [];
  let walked = 0;
  options.onProgress?.(walked, toWalk);
  for (const chain of chains) {
    runs.push(
      await asSystem(db, async (tx): Promise<CheckpointRun> => {
        const [head] = await tx.select({ seq: auditChainHeads.seq, hash: auditChainHeads.hash }).from(auditChainHeads).where(eq(auditChainHeads.chain, chain));
        if (!head || head.seq === 0) return { chain, status: "empty", seq: 0, message: "No events yet." };
        const [last] = await tx
          .select({ seq: auditCheckpoints.seq, hash: auditCheckpoints.hash, signature: auditCheckpoints.signature })
          .from(auditCheckpoints)
          .where(eq(auditCheckpoints.chain, chain))
          .orderBy(desc(auditCheckpoints.seq))
          .limit(1);
        let from = { seq: 0, hash: genesisHash };
        if (last) {
          // The walk starts from the last checkpoint only if it is genuinely ours.
          const opened = await openCheckpoint(last.signature, ring);
          if (!opened.ok || opened.payload.chain !== chain || opened.payload.seq !== last.seq || opened.payload.hash !== last.hash) {
            return {
              chain,
              status: "broken",
              seq: last.seq,
              message: `The last checkpoint (sequence ${last.seq}) does not verify with this key or a retired one (AUDIT_RETIRED_PUBLIC_KEYS); run npm run audit:verify.`,
            };
          }
          if (last.seq === head.seq) return { chain, status: "unchanged", seq: head.seq, message: "The head has not moved since the last checkpoint." };
          if (last.seq > head.seq) return { chain, status: "broken", seq: head.seq, message: `The head (${head.seq}) is behind the last checkpoint (${last.seq}): events were removed.` };
          from = { seq: last.seq, hash: last.hash };
        }
        const report = await verifyChain(tx, chain, (n) => options.onProgress?.(walked + n, toWalk), from);
        walked += report.events;
        if (!report.ok) return { chain, status: "broken", seq: report.firstBreak?.seq ?? head.seq, message: report.firstBreak?.message ?? "The chain does not verify." };
        const payload: CheckpointPayload = { chain, seq: head.seq, hash: head.hash, signedAt: now().toISOString() };
        const signature = await signCheckpoint(payload, key);
        await tx.insert(auditCheckpoints).values({ chain, seq: payload.seq, hash: payload.hash, signedAt: new Date(payload.signedAt), keyId: key.keyId, signature });
        return { chain, status: "signed", seq: head.seq, message: `Signed the head at sequence ${head.seq}.` };
      }),
    );
  }
  return runs;
}

export type CheckpointFailure = {
  checkpointId: string;
  chain: string;
  seq: number;
  problem: "unknown_key" | "bad_signature" | "payload_mismatch" | "event_missing" | "hash_mismatch";
  message: string;
};

export type CheckpointReport = { checked: number; ok: boolean; failures: CheckpointFailure[] };

/**
 * Checks every checkpoint: its signature verifies with one of the auditor's public keys, the
 * signed payload is what the row says, and the event at that sequence number still has that
 * hash. A chain rewritten after a checkpoint (even with every hash recomputed, so that the chain
 * walk passes) fails here, because the rewriter cannot sign.
 */
export async function verifyCheckpoints(db: Db, publicJwks: JWK | JWK[]): Promise<CheckpointReport> {
  const ring = await keyRing(publicJwks);
  const rows = await asSystem(db, async (tx) =>
    rowsOf<{ id: string; chain: string; seq: string | number; hash: string; signature: string; event_hashes: string[] | null }>(
      await tx.execute(sql`select c.id, c.chain, c.seq, c.hash, c.signature,
          (select array_agg(e.hash) from audit_events e where e.chain = c.chain and e.seq = c.seq) as event_hashes
        from audit_checkpoints c order by c.chain, c.seq`),
    ),
  );
  const failures: CheckpointFailure[] = [];
  for (const row of rows) {
    const seq = Number(row.seq);
    const fail = (problem: CheckpointFailure["problem"], message: string) => failures.push({ checkpointId: row.id, chain: row.chain, seq, problem, message });
    const opened = await openCheckpoint(row.signature, ring);
    if (!opened.ok) {
      fail(opened.problem, opened.message);
      continue;
    }
    const p = opened.payload;
    if (p.chain !== row.chain || p.seq !== seq || p.hash !== row.hash) {
      fail("payload_mismatch", `The checkpoint row says sequence ${seq} and hash ${row.hash.slice(0, 12)}…, but its signature covers sequence ${p.seq} and hash ${p.hash.slice(0, 12)}….`);
      continue;
    }
    const hashes = row.event_hashes ?? [];
    if (hashes.length === 0) fail("event_missing", `The event at sequence ${seq}, signed on ${p.signedAt}, is gone.`);
    else if (hashes.some((h) => h !== p.hash)) {
      fail("hash_mismatch", `The event at sequence ${seq} no longer has the hash signed on ${p.signedAt}: the chain was rewritten after that checkpoint.`);
    }
  }
  return { checked: rows.length, ok: failures.length === 0, failures };
}

/** What an outside auditor receives: every checkpoint as its JWS, with the signed fields beside it. */
export type CheckpointExport = {
  format: "mosaic-audit-checkpoints/1";
  exportedAt: string;
  /** For convenience only: an auditor should take the public key from a channel they trust. */
  publicKeys: JWK[];
  checkpoints: (CheckpointPayload & { keyId: string; jws: string })[];
};

/** Every checkpoint, as JSON an auditor can check offline with the public key (checkCheckpointExport). */
export async function exportCheckpoints(db: Db, publicJwks: JWK[] = []): Promise<CheckpointExport> {
  const rows = await asSystem(db, (tx) =>
    tx.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.chain), asc(auditCheckpoints.seq)),
  );
  return {
    format: "mosaic-audit-checkpoints/1",
    exportedAt: new Date().toISOString(),
    publicKeys: publicJwks.map(({ d: _d, ...pub }) => pub),
    checkpoints: rows.map((r) => ({ chain: r.chain, seq: r.seq, hash: r.hash, signedAt: r.signedAt.toISOString(), keyId: r.keyId, jws: r.signature })),
  };
}

/**
 * The offline check of an export, with no database: every JWS verifies with the auditor's public
 * key and signs exactly the fields listed beside it. The auditor then compares each (chain, seq,
 * hash) with the events they are given.
 */
export async function checkCheckpointExport(exported: CheckpointExport, publicJwks: JWK | JWK[]): Promise<{ ok: boolean; problems: string[] }> {
  const ring = await keyRing(publicJwks);
  const problems: string[] = [];
  for (const [i, c] of exported.checkpoints.entries()) {
    const opened = await openCheckpoint(c.jws, ring);
    if (!opened.ok) problems.push(`checkpoint ${i} (${c.chain} at ${c.seq}): ${opened.message}`);
    else if (opened.payload.chain !== c.chain || opened.payload.seq !== c.seq || opened.payload.hash !== c.hash || opened.payload.signedAt !== c.signedAt) {
      problems.push(`checkpoint ${i} (${c.chain} at ${c.seq}): the listed fields differ from what was signed.`);
    }
  }
  return { ok: problems.length === 0, problems };
}

/** The newest checkpoint of each chain, for the verify page and command. */
export async function latestCheckpoints(db: Db): Promise<{ chain: string; seq: number; hash: string; signedAt: Date }[]> {
  return asSystem(db, async (tx) => {
    const rows = await tx
      .selectDistinctOn([auditCheckpoints.chain], { chain: auditCheckpoints.chain, seq: auditCheckpoints.seq, hash: auditCheckpoints.hash, signedAt: auditCheckpoints.signedAt })
      .from(auditCheckpoints)
      .orderBy(asc(auditCheckpoints.chain), desc(auditCheckpoints.seq));
    return rows;
  });
}
