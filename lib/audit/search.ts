import "server-only";
import { and, asc, desc, eq, getTableColumns, gt, gte, inArray, isNotNull, isNull, lt, lte, notInArray, or, sql, type SQL } from "drizzle-orm";
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
  if (cursor) {
    // After the cursor in (occurred_at DESC, id) order. The plain bound on occurred_at leads the
    // index range and prunes the newer monthly partitions at plan time; a row comparison does neither.
    parts.push(lte(auditEvents.occurredAt, cursor.occurredAt), or(lt(auditEvents.occurredAt, cursor.occurredAt), gt(auditEvents.id, cursor.id)));
  }
  return and(...parts);
}

type EventRow = typeof auditEvents.$inferSelect;

/** Newest first, ties by id: the order of every search index (…, occurred_at DESC, id). */
const newestFirst = [desc(auditEvents.occurredAt), asc(auditEvents.id)];
const byNewestFirst = (a: EventRow, b: EventRow) => b.occurredAt.getTime() - a.occurredAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * One page in index order. PostgreSQL reads the monthly partitions newest first and stops when the
 * page is full, so the cost is the page's, not the history's. `keysFirst` (a trust's officer
 * searching a patient or a user): the page's keys come first from that index alone (it carries the
 * trust columns the read policy checks), and only the page's rows are read from the table. The
 * trust may have seen few of that person's many events; the others are passed over in the index
 * instead of each being read from the table to learn that it belongs to another trust.
 */
async function pageOf(tx: Tx, where: SQL | undefined, limit: number, keysFirst: boolean): Promise<EventRow[]> {
  // Prepared, with the page size written into the statement rather than passed as a parameter: a
  // statement's plan then depends only on which filters are set, and after a few runs PostgreSQL
  // keeps one plan per connection instead of planning it again over every monthly partition and
  // index at each call (that planning, not the reading, grew with the number of months). A LIMIT
  // parameter would be planned as "10% of the table", which makes the reused plan look dear (and JIT
  // compile it at every run).
  const size = sql.raw(String(Math.trunc(limit))) as unknown as number;
  if (!keysFirst) return tx.select().from(auditEvents).where(where).orderBy(...newestFirst).limit(size).prepare("audit_search_page").execute();
  const keys = tx.select({ id: auditEvents.id, occurredAt: auditEvents.occurredAt }).from(auditEvents).where(where).orderBy(...newestFirst).limit(size).as("page_keys");
  return tx
    .select(getTableColumns(auditEvents))
    .from(keys)
    .innerJoin(auditEvents, and(eq(auditEvents.occurredAt, keys.occurredAt), eq(auditEvents.id, keys.id)))
    .orderBy(desc(keys.occurredAt), asc(keys.id))
    .prepare("audit_search_keyed_page")
    .execute();
}

/**
 * One page of audit events, newest first, with keyset paging (no OFFSET, no count of the whole
 * result). A trust's officer sees events about their trust's images or by their trust's staff. For
 * a patient or a user that is a filter on their index; otherwise two index-ordered queries (source
 * side, actor side), each stopping after a page, are merged here. Row-level security enforces the
 * same scope below.
 */
export async function findAuditEvents(tx: Tx, ctx: Ctx, filter: AuditFilter, limit = pageSize): Promise<{ rows: AuditRow[]; nextCursor: string | null; trusts: DirectoryTrust[] }> {
  const scope = auditScope(ctx);
  const trusts = await trustDirectory(tx);
  const where = conditions(filter, trusts);
  if (where === "none") return { rows: [], nextCursor: null, trusts };
  let raw: EventRow[];
  if (scope.all) {
    raw = await pageOf(tx, where, limit + 1, false);
  } else if (filter.patient || filter.user) {
    raw = await pageOf(tx, and(where, or(inArray(auditEvents.sourceTrustId, scope.trustIds), inArray(auditEvents.actorTrustId, scope.trustIds))), limit + 1, true);
  } else {
    const bySource = await pageOf(tx, and(where, inArray(auditEvents.sourceTrustId, scope.trustIds)), limit + 1, false);
    const notAboutOwnImages = or(isNull(auditEvents.sourceTrustId), notInArray(auditEvents.sourceTrustId, scope.trustIds));
    const byActor = await pageOf(tx, and(where, inArray(auditEvents.actorTrustId, scope.trustIds), notAboutOwnImages), limit + 1, false);
    raw = [...bySource, ...byActor].sort(byNewestFirst).slice(0, limit + 1);
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
