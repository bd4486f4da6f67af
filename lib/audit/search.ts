import "server-only";
import { and, desc, eq, gte, inArray, isNotNull, isNull, lt, notInArray, or, sql, type SQL } from "drizzle-orm";
import { auditEvents } from "@/db/schema";
import { roleFor, trustsWhere, type Ctx } from "@/lib/auth/context";
import { withTenant, type Tx } from "@/lib/db/scope";
import { AppError, notFound } from "@/lib/errors";
import { trustDirectory, type DirectoryTrust } from "@/lib/trusts/directory";
import type { ChainedFields } from "./canonical";
import { actorOf, recordAuditEvent } from "./record";
import { decodeCursor, encodeCursor, type AuditFilter } from "./search-filter";

export const pageSize = 50;

/** An event as the search shows it: its chained fields and hashes, with trusts named by ODS code. */
export type AuditRow = Omit<ChainedFields, "actorUserId" | "actorTrustId" | "sourceTrustId"> & {
  hash: string;
  prevHash: string;
  actorTrust: string | null;
  sourceTrust: string | null;
};

/** Where the caller may search: every trust, or the trusts where they hold audit.read. */
export function auditScope(ctx: Ctx) {
  const scope = trustsWhere(ctx, "audit.read");
  if (!scope.all && scope.trustIds.length === 0) throw notFound("Not found.");
  return scope;
}

function conditions(filter: AuditFilter, trusts: DirectoryTrust[]): SQL | undefined | "none" {
  const idOf = (ods: string) => trusts.find((t) => t.odsCode === ods)?.id;
  const parts: (SQL | undefined)[] = [];
  if (filter.trust) {
    const id = idOf(filter.trust);
    if (!id) return "none";
    parts.push(eq(auditEvents.sourceTrustId, id));
  }
  if (filter.actorTrust) {
    const id = idOf(filter.actorTrust);
    if (!id) return "none";
    parts.push(eq(auditEvents.actorTrustId, id));
  }
  if (filter.patient) parts.push(eq(auditEvents.patientNhsNumber, filter.patient));
  if (filter.user) parts.push(eq(auditEvents.actorEmail, filter.user));
  if (filter.action) parts.push(eq(auditEvents.action, filter.action));
  if (filter.outcome) parts.push(eq(auditEvents.outcome, filter.outcome));
  if (filter.purpose) parts.push(eq(auditEvents.purpose, filter.purpose));
  if (filter.modality) parts.push(eq(auditEvents.modality, filter.modality));
  if (filter.breakGlass) parts.push(isNotNull(auditEvents.breakGlassJustification));
  if (filter.from) parts.push(gte(auditEvents.occurredAt, new Date(`${filter.from}T00:00:00Z`)));
  if (filter.to) parts.push(lt(auditEvents.occurredAt, new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + 86_400_000)));
  const cursor = decodeCursor(filter.cursor);
  if (cursor) parts.push(sql`(${auditEvents.occurredAt}, ${auditEvents.id}) < (${cursor.occurredAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`);
  return and(...parts);
}

/**
 * One page of audit events, newest first, with keyset paging (no OFFSET, no count of the whole
 * result). A trust's officer sees events about their trust's images or by their trust's staff:
 * two index-ordered queries (source side, actor side) merged here, each stopping after a page,
 * so the cost does not grow with history. Row-level security enforces the same scope below.
 */
export async function findAuditEvents(tx: Tx, ctx: Ctx, filter: AuditFilter, limit = pageSize): Promise<{ rows: AuditRow[]; nextCursor: string | null; trusts: DirectoryTrust[] }> {
  const scope = auditScope(ctx);
  const trusts = await trustDirectory(tx);
  const where = conditions(filter, trusts);
  if (where === "none") return { rows: [], nextCursor: null, trusts };
  const page = (extra: SQL | undefined) =>
    tx
      .select()
      .from(auditEvents)
      .where(and(where, extra))
      .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
      .limit(limit + 1);
  let raw;
  if (scope.all) {
    raw = await page(undefined);
  } else {
    const [bySource, byActor] = [
      await page(inArray(auditEvents.sourceTrustId, scope.trustIds)),
      await page(and(inArray(auditEvents.actorTrustId, scope.trustIds), or(isNull(auditEvents.sourceTrustId), notInArray(auditEvents.sourceTrustId, scope.trustIds)))),
    ];
    raw = [...bySource, ...byActor].sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).slice(0, limit + 1);
  }
  const odsOf = new Map(trusts.map((t) => [t.id, t.odsCode]));
  const rows = raw.slice(0, limit).map(({ actorTrustId, sourceTrustId, actorUserId: _u, ...r }) => ({
    ...r,
    actorTrust: actorTrustId ? (odsOf.get(actorTrustId) ?? null) : null,
    sourceTrust: sourceTrustId ? (odsOf.get(sourceTrustId) ?? null) : null,
  }));
  const last = rows.at(-1);
  return { rows, nextCursor: raw.length > limit && last ? encodeCursor(last.occurredAt, last.id) : null, trusts };
}

/** The chain an officer's own audit actions go on: their trust's, or the consortium's. */
function auditorChain(ctx: Ctx): string | null {
  const scope = trustsWhere(ctx, "audit.read");
  return scope.all ? null : (scope.trustIds[0] ?? null);
}

/** A search of the audit trail by an officer; the search itself is an audit event. */
export async function searchAuditEvents(ctx: Ctx, filter: AuditFilter, limit = pageSize) {
  return withTenant(ctx, async (tx) => {
    const result = await findAuditEvents(tx, ctx, filter, Math.min(limit, 1_000));
    const trustId = auditorChain(ctx);
    await recordAuditEvent(tx, {
      action: filter.patient ? "audit.patient_report" : "audit.search",
      actor: actorOf(ctx, roleFor(ctx, "audit.read", trustId)),
      sourceTrustId: trustId,
      details: { filter: { ...filter, cursor: filter.cursor ? "page>1" : undefined }, results: result.rows.length },
      client: ctx.client,
    });
    return result;
  });
}

/** Records that an officer exported the filtered trail (before the first row is sent). */
export async function recordAuditExport(ctx: Ctx, filter: AuditFilter, format: string): Promise<void> {
  auditScope(ctx);
  const exporters = trustsWhere(ctx, "audit.export");
  if (!exporters.all && exporters.trustIds.length === 0) throw new AppError("FORBIDDEN", "You cannot export the audit trail.");
  await withTenant(ctx, async (tx) => {
    const trustId = auditorChain(ctx);
    await recordAuditEvent(tx, {
      action: "audit.export",
      actor: actorOf(ctx, roleFor(ctx, "audit.export", trustId)),
      sourceTrustId: trustId,
      details: { filter: { ...filter, cursor: undefined }, format },
      client: ctx.client,
    });
  });
}

/** Every page of a search, one keyset page at a time, for streaming exports. */
export async function* eachAuditPage(ctx: Ctx, filter: AuditFilter, size = 1_000): AsyncGenerator<{ rows: AuditRow[]; trusts: DirectoryTrust[] }> {
  let cursor: string | undefined;
  for (;;) {
    const page = await withTenant(ctx, (tx) => findAuditEvents(tx, ctx, { ...filter, cursor }, size));
    yield page;
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

/** The trusts to offer in the audit filters; "not found" for callers who cannot search at all. */
export async function listAuditTrusts(ctx: Ctx): Promise<DirectoryTrust[]> {
  auditScope(ctx);
  return withTenant(ctx, (tx) => trustDirectory(tx));
}
