import "server-only";
import { and, asc, desc, eq, inArray, isNotNull, or } from "drizzle-orm";
import { auditChainHeads, auditEvents } from "@/db/schema";
import { roleFor, trustsWhere, type Ctx } from "@/lib/auth/context";
import { withTenant, type Tx } from "@/lib/db/scope";
import { AppError, notFound } from "@/lib/errors";
import { trustDirectory } from "@/lib/trust-directory";
import { actorOf, recordAuditEvent } from "./record";
import { getDatabase } from "@/db/client";
import { exportCheckpoints, verifyAuditTrail, type CheckpointExport } from "./checkpoints";
import { loadSigningKey } from "./signing-key";
import type { VerifyMode } from "./verify-schemas";
import type { ChainReport } from "./verify";
import { configuredWitness, type Witness } from "./witness";

type CheckpointCheck = {
  checked: number;
  /** Checkpoints in the witness (absent in runs recorded before there was one). */
  witnessed?: number;
  ok: boolean;
  failures: { chain: string; seq: number; message: string }[];
  /** Each chain's latest witnessed checkpoint that holds: where its walk started. */
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
 * Verifies the chains the caller may verify (their trusts', or all of them for consortium roles)
 * as `npm run audit:verify` does (verifyAuditTrail): holds the database against the checkpoint
 * witness, checks the signed checkpoints, looks for chains that lost their head, and walks each
 * chain from its latest witnessed checkpoint that holds (or from the first event); then records
 * the run, with each chain's result, as an audit event of its own.
 */
export async function runVerification(ctx: Ctx, mode: VerifyMode = "since_checkpoint", walkLimit = fullWalkLimit, witness: Witness = configuredWitness()): Promise<VerifyRun> {
  const scope = verifyScope(ctx);
  const inScope = (chain: string) => scope.all || scope.trustIds.includes(chain);
  const { heads, names } = await withTenant(ctx, async (tx) => ({
    heads: await headsInScope(tx, scope),
    names: new Map((await trustDirectory(tx)).map((t) => [t.id, `${t.name} (${t.odsCode})`])),
  }));
  if (mode === "full" && eventsIn(heads) > walkLimit) {
    throw new AppError("CONFLICT", `Your chains hold more than ${walkLimit.toLocaleString("en-GB")} events: walk them all with npm run audit:verify, which shows its progress.`);
  }
  const labelOf = (chain: string) => names.get(chain) ?? (chain === consortiumTrail ? "Consortium" : chain);
  // Checkpoints and the witness are read as the app role with consortium scope (they concern every
  // chain) and kept to the caller's chains; the walks run in the caller's own scope.
  const key = await loadSigningKey({ create: false });
  const report = await verifyAuditTrail(getDatabase().db, {
    publicJwks: key?.verifyingJwks ?? null,
    witness,
    mode,
    inScope,
    chainsInScope: scope.all ? undefined : scope.trustIds,
    walkIn: (fn) => withTenant(ctx, fn),
    walkLimit,
  });
  const reports: VerifiedChain[] = [
    ...report.chains.map((c) => ({ ...c, label: labelOf(c.chain) })),
    ...report.vanished.map((b) => ({ chain: b.chain, events: 0, headSeq: 0, ok: false, firstBreak: b, label: labelOf(b.chain), from: 0 })),
  ];
  const checkpoints: CheckpointCheck =
    report.checkpoints && report.witness
      ? {
          checked: report.checkpoints.checked,
          witnessed: report.witness.witnessed,
          ok: report.checkpoints.ok && report.witness.ok,
          failures: [
            ...report.witness.failures.map((f) => ({ chain: f.chain, seq: f.seq, message: f.message })),
            ...report.checkpoints.failures.map((f) => ({ chain: f.chain, seq: f.seq, message: f.message })),
          ],
          latest: [...report.witness.starts].map(([chain, c]) => ({ chain, label: labelOf(chain), seq: c.seq, hash: c.hash, signedAt: c.signedAt })),
        }
      : null;
  const ok = report.ok;
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
