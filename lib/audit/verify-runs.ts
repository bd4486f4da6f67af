import "server-only";
import { and, desc, eq, inArray, isNull, or } from "drizzle-orm";
import { auditEvents } from "@/db/schema";
import { roleFor, trustsWhere, type Ctx } from "@/lib/auth/context";
import { withTenant } from "@/lib/db/scope";
import { notFound } from "@/lib/errors";
import { trustDirectory } from "@/lib/trusts/directory";
import { actorOf, recordAuditEvent } from "./record";
import { listChains, verifyChain, type ChainReport } from "./verify";

export type VerifyRun = { id: string; at: Date; by: string | null; chains: (ChainReport & { label: string })[] };

function verifyScope(ctx: Ctx) {
  const scope = trustsWhere(ctx, "audit.verify");
  if (!scope.all && scope.trustIds.length === 0) throw notFound("Not found.");
  return scope;
}

/**
 * Walks every chain the caller may verify (their trusts', or all of them for consortium roles) and
 * records the run, with each chain's result, as an audit event of its own.
 */
export async function runVerification(ctx: Ctx): Promise<VerifyRun> {
  const scope = verifyScope(ctx);
  return withTenant(ctx, async (tx) => {
    const all = await listChains(tx);
    const chains = scope.all ? all : all.filter((c) => scope.trustIds.includes(c));
    const names = new Map((await trustDirectory(tx)).map((t) => [t.id, `${t.name} (${t.odsCode})`]));
    const reports = [];
    for (const chain of chains) reports.push({ ...(await verifyChain(tx, chain)), label: names.get(chain) ?? "Consortium" });
    const trustId = scope.all ? null : (scope.trustIds[0] ?? null);
    const event = await recordAuditEvent(tx, {
      action: "audit.verify",
      outcome: reports.every((r) => r.ok) ? "success" : "failure",
      actor: actorOf(ctx, roleFor(ctx, "audit.verify", trustId)),
      sourceTrustId: trustId,
      details: { chains: reports },
      client: ctx.client,
    });
    return { id: event.id, at: new Date(), by: ctx.name, chains: reports };
  });
}

/** The latest verification runs the caller may see, newest first, from the audit trail itself. */
export async function recentVerifications(ctx: Ctx, limit = 10): Promise<VerifyRun[]> {
  const scope = verifyScope(ctx);
  return withTenant(ctx, async (tx) => {
    const rows = await tx
      .select({ id: auditEvents.id, at: auditEvents.occurredAt, by: auditEvents.actorEmail, details: auditEvents.details })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "audit.verify"), scope.all ? undefined : or(inArray(auditEvents.sourceTrustId, scope.trustIds), and(isNull(auditEvents.sourceTrustId), inArray(auditEvents.actorTrustId, scope.trustIds)))))
      .orderBy(desc(auditEvents.occurredAt))
      .limit(limit);
    return rows.map((r) => ({ id: r.id, at: r.at, by: r.by, chains: ((r.details as { chains?: VerifyRun["chains"] } | null)?.chains ?? []) }));
  });
}
