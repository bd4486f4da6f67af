import "server-only";
// Signed checkpoints of the audit hash chains. The chain alone shows that no event was edited,
// deleted or inserted relative to its neighbours, but someone with database access could rewrite a
// whole chain from scratch with every hash recomputed. A checkpoint pins a chain's head (sequence
// number and hash) with a signature made by a key that is not in the database; verifying it checks
// that the event at that sequence number still has that hash. Each checkpoint is also published to
// a witness outside the database (witness.ts) before it counts, so that deleting checkpoints from
// the database and rewriting the events behind them is caught too. The serving process signs the
// chains an ingest moved every AUDIT_CHECKPOINT_SECONDS (lib/jobs/checkpoint-loop.ts).
import { and, asc, eq, sql } from "drizzle-orm";
import { CompactSign, compactVerify, decodeProtectedHeader, importJWK, type JWK } from "jose";
import { rowsOf, type Db, type Tx } from "@/db/client";
import { auditChainHeads, auditCheckpoints } from "@/db/schema";
import { genesisHash } from "./chain";
import type { SigningKey } from "./signing-key";
import { findVanishedChains, listChains, verifyChain, type ChainBreak, type ChainReport } from "./verify";
import { configuredWitness, type Witness } from "./witness";

/** What a checkpoint's signature covers. */
export type CheckpointPayload = { chain: string; seq: number; hash: string; signedAt: string };

const checkpointJwsType = "mosaic-audit-checkpoint+jws";

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

export type CheckpointRun = { chain: string; status: "signed" | "unchanged" | "empty" | "broken" | "busy"; seq: number; message: string };

/**
 * How a witnessed checkpoint fails to hold in the database, if it does: its row is gone (or says
 * another hash), and the event at its sequence number is gone or has another hash or the head is
 * behind it. Each of the two at most once; empty when it holds.
 */
function witnessedProblems(
  w: { seq: number; hash: string },
  db: { checkpointHashes: string[] | null; eventHashes: string[] | null; headSeq: number | null },
): { problem: WitnessFailure["problem"]; message: string }[] {
  const out: { problem: WitnessFailure["problem"]; message: string }[] = [];
  if (!(db.checkpointHashes ?? []).includes(w.hash)) {
    out.push({ problem: "checkpoint_deleted", message: `The checkpoint at sequence ${w.seq} is in the witness but not in the database: checkpoints were deleted.` });
  }
  const events = db.eventHashes ?? [];
  if (events.length === 0) out.push({ problem: "event_missing", message: `The event at sequence ${w.seq}, pinned by a witnessed checkpoint, is gone.` });
  else if (events.some((h) => h !== w.hash)) {
    out.push({ problem: "hash_mismatch", message: `The event at sequence ${w.seq} no longer has the hash of its witnessed checkpoint: the chain was rewritten.` });
  } else if (db.headSeq === null) out.push({ problem: "head_behind", message: `The chain has no head, but the witness holds its checkpoint at sequence ${w.seq}.` });
  else if (db.headSeq < w.seq) {
    out.push({ problem: "head_behind", message: `The chain head (${db.headSeq}) is behind the witnessed checkpoint at sequence ${w.seq}: events were removed.` });
  }
  return out;
}

/** What the database holds at these sequence numbers of a chain: checkpoint hashes, event hashes, and the head. */
async function pinnedInDb(tx: Tx, chain: string, seqs: number[]) {
  const [head] = await tx.select({ seq: auditChainHeads.seq }).from(auditChainHeads).where(eq(auditChainHeads.chain, chain));
  const out = new Map<number, { checkpointHashes: string[] | null; eventHashes: string[] | null; headSeq: number | null }>();
  // In slices: a busy chain gathers a witnessed checkpoint every few seconds.
  for (let i = 0; i < seqs.length; i += 2_000) {
    const json = JSON.stringify(seqs.slice(i, i + 2_000));
    const rows = rowsOf<{ seq: string | number; cps: string[] | null; evs: string[] | null }>(
      await tx.execute(sql`select x.seq,
          (select array_agg(c.hash) from audit_checkpoints c where c.chain = ${chain} and c.seq = x.seq) as cps,
          (select array_agg(e.hash) from audit_events e where e.chain = ${chain} and e.seq = x.seq) as evs
        from (select distinct value::bigint as seq from json_array_elements_text(${json}::json)) as x`),
    );
    for (const r of rows) out.set(Number(r.seq), { checkpointHashes: r.cps, eventHashes: r.evs, headSeq: head ? head.seq : null });
  }
  return out;
}

/**
 * The chains whose head moved past their last checkpoint: one query, an index probe per chain
 * (what the checkpoint loop asks every few seconds).
 */
export async function chainsToCheckpoint(db: Db): Promise<string[]> {
  return asSystem(db, async (tx) =>
    rowsOf<{ chain: string }>(
      await tx.execute(sql`select h.chain from audit_chain_heads h
        where h.seq > coalesce((select max(c.seq) from audit_checkpoints c where c.chain = h.chain), 0) order by h.chain`),
    ).map((r) => r.chain),
  );
}

/**
 * Signs a checkpoint of every chain whose head moved since its last witnessed checkpoint (of
 * `options.chains` only, when given), and publishes it to the witness before it counts: the row is
 * written and the witness appended to inside one transaction, which commits only once the witness
 * has it durably. The events since the last witnessed checkpoint are walked first (from genesis
 * for a chain's first), and a chain that does not verify, or whose last witnessed checkpoint no
 * longer holds in the database, is not signed: a signature must never bless a tampered chain. A
 * transaction-level advisory lock per chain keeps several instances from signing the same head.
 */
export async function createCheckpoints(
  db: Db,
  key: SigningKey,
  options: { now?: () => Date; onProgress?: (walked: number, toWalk: number) => void; witness?: Witness; chains?: string[]; pageSize?: number } = {},
): Promise<CheckpointRun[]> {
  const now = options.now ?? (() => new Date());
  const witness = options.witness ?? configuredWitness();
  const { chains, toWalk } = await asSystem(db, async (tx) => {
    const [pending] = rowsOf<{ n: string | number | null }>(
      await tx.execute(sql`select sum(h.seq - coalesce(c.seq, 0)) as n from audit_chain_heads h
        left join (select chain, max(seq) as seq from audit_checkpoints group by chain) c on c.chain = h.chain`),
    );
    const all = await listChains(tx);
    return { chains: options.chains ? all.filter((c) => options.chains?.includes(c)) : all, toWalk: Math.max(0, Number(pending?.n ?? 0)) };
  });
  // A last checkpoint signed by a key this one replaced still counts (AUDIT_RETIRED_PUBLIC_KEYS).
  const ring = await keyRing(key.verifyingJwks);
  const runs: CheckpointRun[] = [];
  let walked = 0;
  options.onProgress?.(walked, toWalk);
  for (const chain of chains) {
    runs.push(
      await asSystem(db, async (tx): Promise<CheckpointRun> => {
        const [locked] = rowsOf<{ ok: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(hashtextextended(${`mosaic.audit-checkpoint:${chain}`}, 0)) as ok`));
        if (!locked?.ok) return { chain, status: "busy", seq: 0, message: "Another process is signing this chain." };
        const [head] = await tx.select({ seq: auditChainHeads.seq, hash: auditChainHeads.hash }).from(auditChainHeads).where(eq(auditChainHeads.chain, chain));
        if (!head || head.seq === 0) return { chain, status: "empty", seq: 0, message: "No events yet." };
        const last = await witness.latest(chain);
        let from = { seq: 0, hash: genesisHash };
        if (last) {
          // The walk starts from the last witnessed checkpoint only if it is genuinely ours and still holds.
          const opened = await openCheckpoint(last.jws, ring);
          if (!opened.ok || opened.payload.chain !== chain || opened.payload.seq !== last.seq) {
            return {
              chain,
              status: "broken",
              seq: last.seq,
              message: `The last witnessed checkpoint (sequence ${last.seq}) does not verify with this key or a retired one (AUDIT_RETIRED_PUBLIC_KEYS); run npm run audit:verify.`,
            };
          }
          const [problem] = witnessedProblems(opened.payload, (await pinnedInDb(tx, chain, [last.seq])).get(last.seq) ?? { checkpointHashes: null, eventHashes: null, headSeq: head.seq });
          if (problem) return { chain, status: "broken", seq: last.seq, message: `${problem.message} Run npm run audit:verify.` };
          if (last.seq === head.seq) return { chain, status: "unchanged", seq: head.seq, message: "The head has not moved since the last checkpoint." };
          from = { seq: last.seq, hash: opened.payload.hash };
        }
        // The latest checkpoint in the database must hold too: were the witness lost or emptied, it
        // still keeps a rewritten chain from being signed anew.
        const [lastInDb] = rowsOf<{ seq: string | number; hash: string; signature: string; evs: string[] | null }>(
          await tx.execute(sql`select c.seq, c.hash, c.signature, (select array_agg(e.hash) from audit_events e where e.chain = c.chain and e.seq = c.seq) as evs
            from audit_checkpoints c where c.chain = ${chain} order by c.seq desc limit 1`),
        );
        if (lastInDb && Number(lastInDb.seq) > from.seq) {
          const opened = await openCheckpoint(lastInDb.signature, ring);
          const evs = lastInDb.evs ?? [];
          if (!opened.ok || opened.payload.hash !== lastInDb.hash || evs.length === 0 || evs.some((h) => h !== lastInDb.hash)) {
            return { chain, status: "broken", seq: Number(lastInDb.seq), message: `The checkpoint in the database at sequence ${lastInDb.seq} does not hold; run npm run audit:verify.` };
          }
        }
        const report = await verifyChain(tx, chain, (n) => options.onProgress?.(walked + n, toWalk), from, { pageSize: options.pageSize });
        walked += report.events;
        if (!report.ok) return { chain, status: "broken", seq: report.firstBreak?.seq ?? head.seq, message: report.firstBreak?.message ?? "The chain does not verify." };
        // A checkpoint of this head already in the database (signed before the witness existed, or
        // by a run whose witness write failed) is published as it is; otherwise a new one is signed.
        const [existing] = await tx
          .select({ hash: auditCheckpoints.hash, signature: auditCheckpoints.signature })
          .from(auditCheckpoints)
          .where(and(eq(auditCheckpoints.chain, chain), eq(auditCheckpoints.seq, head.seq)));
        let jws: string;
        if (existing) {
          const opened = await openCheckpoint(existing.signature, ring);
          if (!opened.ok || opened.payload.chain !== chain || opened.payload.seq !== head.seq || opened.payload.hash !== head.hash || existing.hash !== head.hash) {
            return { chain, status: "broken", seq: head.seq, message: `The checkpoint in the database at sequence ${head.seq} does not verify or does not match the head; run npm run audit:verify.` };
          }
          jws = existing.signature;
        } else {
          const payload: CheckpointPayload = { chain, seq: head.seq, hash: head.hash, signedAt: now().toISOString() };
          jws = await signCheckpoint(payload, key);
          await tx.insert(auditCheckpoints).values({ chain, seq: payload.seq, hash: payload.hash, signedAt: new Date(payload.signedAt), keyId: key.keyId, signature: jws });
        }
        // Published before the transaction commits: a checkpoint the witness lacks never counts.
        await witness.publish({ chain, seq: head.seq, jws });
        return { chain, status: "signed", seq: head.seq, message: `Signed the head at sequence ${head.seq}.` };
      }),
    );
  }
  return runs;
}

type WitnessFailure = {
  chain: string;
  seq: number;
  problem: "checkpoint_deleted" | "event_missing" | "hash_mismatch" | "head_behind" | "unknown_key" | "bad_signature" | "payload_mismatch";
  message: string;
};

/**
 * The database held against the witness: every witnessed checkpoint verifies with the auditor's
 * keys, its row is in audit_checkpoints, the event at its sequence number has its hash, and the
 * chain's head is at or beyond it. `starts` gives, for each chain, its latest witnessed checkpoint
 * that holds: where a walk of what came since begins.
 */
type WitnessReport = {
  description: string;
  witnessed: number;
  ok: boolean;
  failures: WitnessFailure[];
  chains: string[];
  starts: Map<string, { seq: number; hash: string; signedAt: string }>;
};

/** Checks the database against the witness (see WitnessReport), for the chains `inScope` keeps. */
async function checkWitness(db: Db, witness: Witness, publicJwks: JWK | JWK[], inScope: (chain: string) => boolean = () => true): Promise<WitnessReport> {
  const ring = await keyRing(publicJwks);
  const chains = (await witness.chains()).filter(inScope);
  const failures: WitnessFailure[] = [];
  const starts: WitnessReport["starts"] = new Map();
  let witnessed = 0;
  for (const chain of chains) {
    const entries = await witness.list(chain);
    witnessed += entries.length;
    const good: CheckpointPayload[] = [];
    for (const e of entries) {
      const opened = await openCheckpoint(e.jws, ring);
      if (!opened.ok) failures.push({ chain, seq: e.seq, problem: opened.problem, message: `Witnessed checkpoint at sequence ${e.seq}: ${opened.message}` });
      else if (opened.payload.chain !== chain || opened.payload.seq !== e.seq) {
        failures.push({ chain, seq: e.seq, problem: "payload_mismatch", message: `The witness lists a checkpoint at sequence ${e.seq} whose signature covers ${opened.payload.chain} at ${opened.payload.seq}.` });
      } else good.push(opened.payload);
    }
    const inDb = await asSystem(db, (tx) => pinnedInDb(tx, chain, good.map((p) => p.seq)));
    // A chain's first checkpoint row missing, and its first pinned event gone or changed, are
    // named; the rest follow from them (a busy chain can have thousands of witnessed checkpoints).
    let rowsFailed = false;
    let eventsFailed = false;
    for (const p of good.sort((a, b) => a.seq - b.seq)) {
      const problems = witnessedProblems(p, inDb.get(p.seq) ?? { checkpointHashes: null, eventHashes: null, headSeq: null });
      for (const problem of problems) {
        const isRow = problem.problem === "checkpoint_deleted";
        if (isRow ? !rowsFailed : !eventsFailed) failures.push({ chain, seq: p.seq, ...problem });
        if (isRow) rowsFailed = true;
        else eventsFailed = true;
      }
      // Where a walk may start: a witnessed checkpoint that holds in full, none before it pinning a changed event.
      if (problems.length === 0 && !eventsFailed) starts.set(chain, { seq: p.seq, hash: p.hash, signedAt: p.signedAt });
    }
  }
  return { description: witness.description, witnessed, ok: failures.length === 0, failures, chains, starts };
}

/** What a verification of the whole audit trail found: the chains' walks, chains without heads, the checkpoints, the witness. */
export type TrailReport = {
  ok: boolean;
  chains: (ChainReport & { from: number; notWalked?: number })[];
  vanished: ChainBreak[];
  checkpoints: CheckpointReport | null;
  witness: WitnessReport | null;
};

/**
 * Verifies the audit trail, as `npm run audit:verify` and the verify page do: holds the database
 * against the witness, checks every signed checkpoint in the database, looks for chains that lost
 * their head, and walks every chain to its head, from its latest witnessed checkpoint that holds
 * (`since_checkpoint`) or from genesis (`full`). Without keys (`publicJwks` null) only the walks
 * from genesis are possible. `walkIn` runs a walk in a transaction (default: as the app role with
 * consortium scope); `inScope` keeps the chains the caller may verify.
 */
export async function verifyAuditTrail(
  db: Db,
  options: {
    publicJwks: JWK | JWK[] | null;
    witness: Witness;
    mode?: "since_checkpoint" | "full";
    inScope?: (chain: string) => boolean;
    /** The chains in scope by name, when not all of them (a trust's officers): what is probed for events without a head. */
    chainsInScope?: string[];
    walkIn?: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
    walkLimit?: number;
    pageSize?: number;
    onProgress?: (chain: string, checked: number) => void;
  },
): Promise<TrailReport> {
  const inScope = options.inScope ?? (() => true);
  const walkIn = options.walkIn ?? (<T>(fn: (tx: Tx) => Promise<T>) => asSystem(db, fn));
  const keys = options.publicJwks;
  const witnessReport = keys ? await checkWitness(db, options.witness, keys, inScope) : null;
  const checkpoints = keys ? await verifyCheckpoints(db, keys) : null;
  if (checkpoints) {
    checkpoints.failures = checkpoints.failures.filter((f) => inScope(f.chain));
    checkpoints.ok = checkpoints.failures.length === 0;
  }
  const { heads, vanished } = await walkIn(async (tx) => ({
    heads: (await tx.select({ chain: auditChainHeads.chain, seq: auditChainHeads.seq }).from(auditChainHeads).orderBy(asc(auditChainHeads.chain))).filter((h) => inScope(h.chain)),
    vanished: (await findVanishedChains(tx, witnessReport?.chains ?? [], options.chainsInScope)).filter((b) => inScope(b.chain)),
  }));
  const chains: TrailReport["chains"] = [];
  let budget = options.walkLimit ?? Number.POSITIVE_INFINITY;
  for (const { chain, seq: headSeq } of heads) {
    const start = options.mode === "full" ? undefined : witnessReport?.starts.get(chain);
    const from = start ? { seq: start.seq, hash: start.hash } : { seq: 0, hash: genesisHash };
    const needed = Math.max(0, headSeq - from.seq);
    if (needed > budget) {
      chains.push({ chain, events: 0, headSeq, ok: false, firstBreak: null, from: from.seq, notWalked: needed });
      continue;
    }
    budget -= needed;
    const report = await walkIn((tx) => verifyChain(tx, chain, (n) => options.onProgress?.(chain, n), from, { pageSize: options.pageSize }));
    chains.push({ ...report, from: from.seq });
  }
  const ok = chains.every((c) => c.ok) && vanished.length === 0 && (checkpoints?.ok ?? true) && (witnessReport?.ok ?? true);
  return { ok, chains, vanished, checkpoints, witness: witnessReport };
}

type CheckpointFailure = {
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

