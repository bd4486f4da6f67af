import "server-only";
import { and, asc, desc, eq, inArray, isNotNull, or } from "drizzle-orm";
import { auditChainHeads, auditEvents } from "@/db/schema";
import { roleFor, trustsWhere, type Ctx } from "@/lib/auth/context";
import { withTenant, type Tx } from "@/lib/db/scope";
import { AppError, notFound } from "@/lib/errors";
import { trustDirectory } from "@/lib/trusts/directory";
import { actorOf, recordAuditEvent } from "./record";
import { getDatabase } from "@/db/client";
import { exportCheckpoints, latestCheckpoints, verifyCheckpoints, type CheckpointExport } from "./checkpoints";
import { loadSigningKey } from "./signing-key";
import { genesisHash } from "./chain";
import type { VerifyMode } from "./verify-schemas";
import { verifyChain, type ChainReport } from "./verify";

export type CheckpointCheck = {
  checked: number;
  ok: boolean;
  failures: { chain: string; seq: number; message: string }[];
  latest: { chain: string; label: string; seq: number; hash: string; signedAt: string }[];
} | null;

/**
 * A chain in a run as recorded. `from`: the position its walk started after (0: the first event;
 * absent in runs recorded before walks could start at a checkpoint). `notWalked`: the events it
 * would have had to walk, when that was more than a request may walk (the chain is then neither
 * intact nor broken: not verified).
 */
export type VerifiedChain = ChainReport & { label: string; from?: number; notWalked?: number };
export type VerifyRun = { id: string; at: Date; by: string | null; mode?: VerifyMode; chains: VerifiedChain[]; checkpoints?: CheckpointCheck };

/** What a run found for one chain. */
export function chainState(c: VerifiedChain): "intact" | "broken" | "not_walked" {
  return c.notWalked !== undefined ? "not_walked" : c.ok ? "intact" : "broken";
}

/** The target of a verification run's audit event: the trail of one trust, or of the whole consortium. */
const verifiedTrail = "audit_trail";
const consortiumTrail = "consortium";

function verifyScope(ctx: Ctx) {
  const scope = trustsWhere(ctx, "audit.verify");
  if (!scope.all && scope.trustIds.length === 0) throw notFound("Not found.");
  return scope;
}

/**
 * The most events a run from the page walks: more would hold a request for minutes (about 30,000
 * events a second). Above it the page does not offer the walk from the first event, and a chain with
 * more than that since its latest checkpoint (none signed yet, or none for a long while) is reported
 * as not walked. `npm run audit:verify` walks any length, with progress; `npm run
 * audit:checkpoint` signs a new starting point.
 */
export const fullWalkLimit = 1_000_000;

/** The heads of the chains the caller may verify, in chain order: how many events each holds. */
async function headsInScope(tx: Tx, scope: ReturnType<typeof verifyScope>): Promise<{ chain: string; seq: number }[]> {
  const heads = await tx.select({ chain: auditChainHeads.chain, seq: auditChainHeads.seq }).from(auditChainHeads).orderBy(asc(auditChainHeads.chain));
  return heads.filter((h) => scope.all || scope.trustIds.includes(h.chain));
}

const eventsIn = (heads: { seq: number }[]) => heads.reduce((n, h) => n + h.seq, 0);

/** How many events the caller's chains hold, and whether the page may walk them all. */
export async function verificationSize(ctx: Ctx): Promise<{ events: number; canWalkAll: boolean }> {
  const scope = verifyScope(ctx);
  const events = eventsIn(await withTenant(ctx, (tx) => headsInScope(tx, scope)));
  return { events, canWalkAll: events <= fullWalkLimit };
}

/**
 * Walks every chain the caller may verify (their trusts', or all of them for consortium roles),
 * checks the signed checkpoints, and records the run, with each chain's result, as an audit event
 * of its own.
 */
export async function runVerification(ctx: Ctx, mode: VerifyMode = "since_checkpoint", walkLimit = fullWalkLimit): Promise<VerifyRun> {
  const scope = verifyScope(ctx);
  const inScope = (chain: string) => scope.all || scope.trustIds.includes(chain);
  const { heads, names } = await withTenant(ctx, async (tx) => ({
    heads: await headsInScope(tx, scope),
    names: new Map((await trustDirectory(tx)).map((t) => [t.id, `${t.name} (${t.odsCode})`])),
  }));
  if (mode === "full" && eventsIn(heads) > walkLimit) {
    throw new AppError("CONFLICT", `Your chains hold more than ${walkLimit.toLocaleString("en-GB")} events: walk them all with npm run audit:verify, which shows its progress.`);
  }
  // Checked first: a walk starts only from a checkpoint that still holds.
  const checkpoints = await checkSignedCheckpoints(inScope, names);
  const startOf = (chain: string): { seq: number; hash: string } => {
    const latest = checkpoints?.latest.find((c) => c.chain === chain);
    const holds = latest && !checkpoints?.failures.some((f) => f.chain === chain);
    return mode === "since_checkpoint" && latest && holds ? { seq: latest.seq, hash: latest.hash } : { seq: 0, hash: genesisHash };
  };
  const reports = await withTenant(ctx, async (tx) => {
    const out: VerifiedChain[] = [];
    let budget = walkLimit;
    for (const { chain, seq: headSeq } of heads) {
      const from = startOf(chain);
      const label = names.get(chain) ?? "Consortium";
      const needed = headSeq - from.seq;
      if (needed > budget) {
        out.push({ chain, events: 0, headSeq, ok: false, firstBreak: null, label, from: from.seq, notWalked: needed });
        continue;
      }
      budget -= Math.max(0, needed);
      out.push({ ...(await verifyChain(tx, chain, undefined, from)), label, from: from.seq });
    }
    return out;
  });
  const ok = reports.every((r) => r.ok) && (checkpoints?.ok ?? true);
  const trustId = scope.all ? null : (scope.trustIds[0] ?? null);
  const event = await withTenant(ctx, (tx) =>
    recordAuditEvent(tx, {
      action: "audit.verify",
      outcome: ok ? "success" : "failure",
      actor: actorOf(ctx, roleFor(ctx, "audit.verify", trustId)),
      sourceTrustId: trustId,
      // The target lets the verify page find runs through the record-history index (see recentVerifications).
      target: { type: verifiedTrail, id: trustId ?? consortiumTrail },
      details: { mode, chains: reports, checkpoints },
      client: ctx.client,
    }),
  );
  return { id: event.id, at: new Date(), by: ctx.name, mode, chains: reports, checkpoints };
}

/**
 * Checks the signed checkpoints with the public key (they catch a chain rewritten from scratch,
 * which a walk alone cannot), keeping the caller's chains. Runs outside the caller's transaction:
 * it reads every chain's checkpoints, and PGlite serves one transaction at a time.
 */
async function checkSignedCheckpoints(inScope: (chain: string) => boolean, names: Map<string, string>): Promise<CheckpointCheck> {
  const key = await loadSigningKey({ create: false });
  if (!key) return null;
  const { db } = getDatabase();
  const report = await verifyCheckpoints(db, key.verifyingJwks);
  const latest = (await latestCheckpoints(db)).filter((c) => inScope(c.chain));
  const failures = report.failures.filter((f) => inScope(f.chain)).map((f) => ({ chain: f.chain, seq: f.seq, message: f.message }));
  return {
    checked: report.checked,
    ok: failures.length === 0,
    failures,
    latest: latest.map((c) => ({ chain: c.chain, label: names.get(c.chain) ?? "Consortium", seq: c.seq, hash: c.hash, signedAt: c.signedAt.toISOString() })),
  };
}

/** The signed checkpoints of the caller's chains, as JSON an outside auditor checks offline. */
export async function exportCheckpointsFor(ctx: Ctx): Promise<CheckpointExport> {
  const scope = verifyScope(ctx);
  const key = await loadSigningKey({ create: false });
  const exported = await exportCheckpoints(getDatabase().db, key?.verifyingJwks ?? []);
  const trustId = scope.all ? null : (scope.trustIds[0] ?? null);
  const checkpoints = exported.checkpoints.filter((c) => scope.all || scope.trustIds.includes(c.chain));
  await withTenant(ctx, (tx) =>
    recordAuditEvent(tx, {
      action: "audit.export",
      actor: actorOf(ctx, roleFor(ctx, "audit.verify", trustId)),
      sourceTrustId: trustId,
      details: { format: "checkpoints", checkpoints: checkpoints.length },
      client: ctx.client,
    }),
  );
  return { ...exported, checkpoints };
}

/**
 * The latest verification runs the caller may see, newest first, from the audit trail itself. Runs
 * are found by their target (the trust whose trail was walked, or the consortium), which the index
 * of a record's history serves: asking by action alone read every partition of audit_events, about
 * 20 million rows a year at the consortium's volume, on each view of the verify page. A trust's
 * officers see their trust's runs and the consortium-wide runs of people of their trust.
 */
export async function recentVerifications(ctx: Ctx, limit = 10): Promise<VerifyRun[]> {
  const scope = verifyScope(ctx);
  return withTenant(ctx, async (tx) => {
    const whose = scope.all
      ? isNotNull(auditEvents.targetId)
      : or(inArray(auditEvents.targetId, scope.trustIds), and(eq(auditEvents.targetId, consortiumTrail), inArray(auditEvents.actorTrustId, scope.trustIds)));
    const rows = await tx
      .select({ id: auditEvents.id, at: auditEvents.occurredAt, by: auditEvents.actorEmail, details: auditEvents.details })
      .from(auditEvents)
      .where(and(eq(auditEvents.targetType, verifiedTrail), whose, eq(auditEvents.action, "audit.verify")))
      .orderBy(desc(auditEvents.occurredAt))
      .limit(limit);
    return rows.map((r) => {
      const details = r.details as { mode?: VerifyMode; chains?: VerifyRun["chains"]; checkpoints?: CheckpointCheck } | null;
      return { id: r.id, at: r.at, by: r.by, mode: details?.mode, chains: details?.chains ?? [], checkpoints: details?.checkpoints ?? null };
    });
  });
}
