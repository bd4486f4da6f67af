import "server-only";
import { and, asc, desc, eq, getTableColumns, gt, gte, inArray, isNotNull, isNull, lt, lte, notInArray, or, sql, type SQL } from "drizzle-orm";
import { union, type SubqueryWithSelection } from "drizzle-orm/pg-core";
import { auditEvents } from "@/db/schema";
import { roleFor, trustsWhere, type Ctx } from "@/lib/auth/context";
import { withTenant, type Tx } from "@/lib/db/scope";
import { AppError, notFound } from "@/lib/errors";
import { trustDirectory, type DirectoryTrust } from "@/lib/trust-directory";
import type { ChainedFields } from "./canonical";
import { actorOf, recordAuditEvent } from "./record";
import { accessActions } from "./schemas";
import { decodeCursor, encodeCursor, searchWindow, type AuditFilter } from "./search-filter";

type SearchWindow = ReturnType<typeof searchWindow>;

const pageSize = 50;

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

function conditions(filter: AuditFilter, window: SearchWindow, trusts: DirectoryTrust[]): SQL | undefined | "none" {
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
  if (filter.study) parts.push(eq(auditEvents.studyInstanceUid, filter.study));
  if (filter.accession) parts.push(eq(auditEvents.accessionNumber, filter.accession));
  if (filter.action) parts.push(eq(auditEvents.action, filter.action));
  // An access report counts accesses: an access decision is a check before an access, not one.
  if (filter.kind === "access") parts.push(inArray(auditEvents.action, [...accessActions]));
  if (filter.outcome) parts.push(eq(auditEvents.outcome, filter.outcome));
  if (filter.purpose) parts.push(eq(auditEvents.purpose, filter.purpose));
  if (filter.modality) parts.push(eq(auditEvents.modality, filter.modality));
  if (filter.breakGlass) parts.push(isNotNull(auditEvents.breakGlassJustification));
  if (window.from) parts.push(gte(auditEvents.occurredAt, window.from));
  if (window.until) parts.push(lt(auditEvents.occurredAt, window.until));
  const cursor = decodeCursor(filter.cursor);
  if (cursor) {
    // After the cursor in (occurred_at DESC, id) order. The plain bound on occurred_at leads the
    // index range and prunes the newer monthly partitions; a row comparison does neither.
    parts.push(lte(auditEvents.occurredAt, cursor.occurredAt), or(lt(auditEvents.occurredAt, cursor.occurredAt), gt(auditEvents.id, cursor.id)));
  }
  return and(...parts);
}

type EventRow = typeof auditEvents.$inferSelect;

/** Newest first, ties by id: the order of every search index (…, occurred_at DESC, id). */
const newestFirst = [desc(auditEvents.occurredAt), asc(auditEvents.id)];
/** A page's keys: what the rows are found by once the page is known. */
const keyColumns = { id: auditEvents.id, occurredAt: auditEvents.occurredAt };
const byNewestFirst = (a: EventRow, b: EventRow) => b.occurredAt.getTime() - a.occurredAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * One page in index order. PostgreSQL reads the monthly partitions newest first and stops when the
 * page is full, so the cost is the page's, not the history's. `keysFirst`, where a trust's officer
 * may see only some of the index's entries (a patient's events, their staff's work on other trusts'
 * images): the page's keys come first from the index alone (it carries the trust columns the read
 * policy checks), and only the page's rows are read from the table; the other entries are passed
 * over in the index instead of each being read to learn it is another trust's.
 */
async function pageOf(tx: Tx, where: SQL | undefined, limit: number, keysFirst: boolean): Promise<EventRow[]> {
  const size = inlineLimit(limit);
  if (!keysFirst) return tx.select().from(auditEvents).where(where).orderBy(...newestFirst).limit(size).prepare("audit_search_page").execute();
  const keys = tx.select(keyColumns).from(auditEvents).where(where).orderBy(...newestFirst).limit(size).as("page_keys");
  return rowsOfKeys(tx, keys).prepare("audit_search_keyed_page").execute();
}

/**
 * A user's page for a trust's officer: the user's events on the officer's trusts' images, and their
 * events as those trusts' staff. Each side is read in its own index, (actor_email, source_trust_id,
 * occurred_at, id) and (actor_email, actor_trust_id, occurred_at, id), where the entries the officer
 * may see lie together in time order; the sides' keys are merged (an event can be on both) and only
 * the page's rows are read. In the user's own index those entries are scattered through the user's
 * history: for another trust's member of staff, the few on this trust's images meant reading all of it.
 */
function userPageOf(tx: Tx, trustIds: string[], where: SQL | undefined, limit: number): Promise<EventRow[]> {
  const size = inlineLimit(limit);
  const side = (column: typeof auditEvents.sourceTrustId | typeof auditEvents.actorTrustId, trustId: string) =>
    tx.select(keyColumns).from(auditEvents).where(and(where, eq(column, trustId))).orderBy(...newestFirst).limit(size);
  const [first, second, ...rest] = trustIds.flatMap((t) => [side(auditEvents.sourceTrustId, t), side(auditEvents.actorTrustId, t)]);
  if (!first || !second) return Promise.resolve([]);
  // The merged keys are ordered by the union's own columns (its ORDER BY cannot name a table).
  const keys = union(first, second, ...rest)
    .orderBy(desc(sql.identifier("occurred_at")), asc(sql.identifier("id")))
    .limit(size)
    .as("page_keys");
  return rowsOfKeys(tx, keys).prepare("audit_search_user_page").execute();
}

/** The rows of a page's keys (a subquery of id and occurred_at), in the keys' order. */
function rowsOfKeys(tx: Tx, keys: SubqueryWithSelection<typeof keyColumns, "page_keys">) {
  return tx
    .select(getTableColumns(auditEvents))
    .from(keys)
    .innerJoin(auditEvents, and(eq(auditEvents.occurredAt, keys.occurredAt), eq(auditEvents.id, keys.id)))
    .orderBy(desc(keys.occurredAt), asc(keys.id));
}

/**
 * A page size written into the statement (the queries are prepared, see genericPlansOn): as a
 * parameter it would be planned as "a tenth of the table". It is a whole number from this module,
 * never input.
 */
function inlineLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`a page size must be a positive whole number, not ${limit}`);
  return sql.raw(String(limit)) as unknown as number;
}

// A search's statements run with generic plans: a plan then depends only on which filters are set, is
// made once per connection and filter shape, and is not made again over every monthly partition and
// index at each call (that planning, not the reading, was what grew with the number of months). The
// values still prune partitions when the plan starts. Left to choose, PostgreSQL keeps re-planning
// them, as a plan made for one patient looks cheaper than one made for no one in particular. JIT is
// off: a generic plan's estimates would have it compile at every run. Switched on beside the
// directory read and back to the session's settings beside the page queries (pipelined on the
// transaction's connection, in order), so they cost no round trip of their own.
const genericPlansOn = sql`select set_config('plan_cache_mode', 'force_generic_plan', true), set_config('jit', 'off', true)`;
const genericPlansOff = [sql`set local plan_cache_mode to default`, sql`set local jit to default`];

/**
 * The queries of one page: one, or for a trust's officer without a patient or user, one per side.
 * Every query of a trust's officer names their trusts (source or actor), so other trusts' events
 * are not read even before row-level security, which checks the same below, hides them.
 */
function pageQueries(tx: Tx, scope: ReturnType<typeof auditScope>, filter: AuditFilter, where: SQL | undefined, limit: number): Promise<EventRow[]>[] {
  if (scope.all) return [pageOf(tx, where, limit, false)];
  const aboutOwnImages = inArray(auditEvents.sourceTrustId, scope.trustIds);
  const byOwnStaff = inArray(auditEvents.actorTrustId, scope.trustIds);
  // A patient's or a study's events are few: one pass over them in its index (which carries both
  // trust columns), the trusts checked there.
  if (filter.patient || filter.study || filter.accession) return [pageOf(tx, and(where, or(aboutOwnImages, byOwnStaff)), limit, true)];
  if (filter.user) return [userPageOf(tx, scope.trustIds, where, limit)];
  const notAboutOwnImages = or(isNull(auditEvents.sourceTrustId), notInArray(auditEvents.sourceTrustId, scope.trustIds));
  return [pageOf(tx, and(where, aboutOwnImages), limit, false), pageOf(tx, and(where, byOwnStaff, notAboutOwnImages), limit, true)];
}

/**
 * One page of audit events, newest first, with keyset paging (no OFFSET, no count of the whole
 * result). A trust's officer sees events about their trust's images or by their trust's staff: for
 * a patient, a filter on the patient's index; for a user, the two sides' keys merged in one
 * statement; otherwise two index-ordered queries (source side, actor side), each stopping after a
 * page, merged here. Row-level security enforces the same scope below.
 */
export async function findAuditEvents(
  tx: Tx,
  ctx: Ctx,
  filter: AuditFilter,
  limit = pageSize,
  now = new Date(),
): Promise<{ rows: AuditRow[]; nextCursor: string | null; trusts: DirectoryTrust[]; window: SearchWindow }> {
  const scope = auditScope(ctx);
  const [trusts] = await Promise.all([trustDirectory(tx), tx.execute(genericPlansOn)]);
  const window = searchWindow(filter, now);
  const where = conditions(filter, window, trusts);
  // Issued after the page queries, the settings are put back after them.
  const [pages] = await Promise.all([Promise.all(where === "none" ? [] : pageQueries(tx, scope, filter, where, limit + 1)), ...genericPlansOff.map((q) => tx.execute(q))]);
  const raw = pages.length === 1 ? (pages[0] ?? []) : pages.flat().sort(byNewestFirst).slice(0, limit + 1);
  const odsOf = new Map(trusts.map((t) => [t.id, t.odsCode]));
  const rows = raw.slice(0, limit).map(({ actorTrustId, sourceTrustId, actorUserId: _u, ...r }) => ({
    ...r,
    actorTrust: actorTrustId ? (odsOf.get(actorTrustId) ?? null) : null,
    sourceTrust: sourceTrustId ? (odsOf.get(sourceTrustId) ?? null) : null,
  }));
  const last = rows.at(-1);
  return { rows, nextCursor: raw.length > limit && last ? encodeCursor(last.occurredAt, last.id) : null, trusts, window };
}

/** The chain an officer's own audit actions go on: their trust's, or the consortium's. */
function auditorChain(ctx: Ctx): string | null {
  const scope = trustsWhere(ctx, "audit.read");
  return scope.all ? null : (scope.trustIds[0] ?? null);
}

/** What an officer's search or export looked up, recorded on its own event so that it is found by the same search. */
const lookedUp = (filter: AuditFilter) => ({
  patientNhsNumber: filter.patient ?? null,
  studyInstanceUid: filter.study ?? null,
  accessionNumber: filter.accession ?? null,
});

/** A search of the audit trail by an officer; the search itself is an audit event. */
export async function searchAuditEvents(ctx: Ctx, filter: AuditFilter, limit = pageSize) {
  return withTenant(ctx, async (tx) => {
    const result = await findAuditEvents(tx, ctx, filter, Math.min(limit, 1_000));
    const trustId = auditorChain(ctx);
    await recordAuditEvent(tx, {
      action: filter.patient ? "audit.patient_report" : "audit.search",
      actor: actorOf(ctx, roleFor(ctx, "audit.read", trustId)),
      sourceTrustId: trustId,
      // The patient or study looked up is the event's: a search by that patient or study finds who looked.
      access: lookedUp(filter),
      details: {
        filter: { ...filter, cursor: filter.cursor ? "page>1" : undefined },
        // What was searched when no From was given: the default window's first day.
        defaultFrom: result.window.isDefault ? result.window.from?.toISOString().slice(0, 10) : undefined,
        results: result.rows.length,
      },
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
      access: lookedUp(filter),
      details: { filter: { ...filter, cursor: undefined }, format },
      client: ctx.client,
    });
  });
}

/** Every page of a search, one keyset page at a time, for streaming exports. */
export async function* eachAuditPage(ctx: Ctx, filter: AuditFilter, size = 1_000, now = new Date()): AsyncGenerator<{ rows: AuditRow[]; trusts: DirectoryTrust[] }> {
  let cursor: string | undefined;
  for (;;) {
    // One `now` for every page: a default window does not move while the export runs.
    const page = await withTenant(ctx, (tx) => findAuditEvents(tx, ctx, { ...filter, cursor }, size, now));
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

/**
 * The patients whose access reports the caller looked up in the last `days` days, newest first,
 * once each: the reports an officer is working on, to return to from their home page. Read from
 * the caller's own audit events in the user index (an officer's events are few).
 */
export async function recentPatientReports(ctx: Ctx, days = 30, shown = 5, now = new Date()): Promise<{ patientNhsNumber: string; lookedUpAt: Date }[]> {
  const scope = trustsWhere(ctx, "audit.read");
  if (!scope.all && scope.trustIds.length === 0) return [];
  return withTenant(ctx, async (tx) => {
    const rows = await tx
      .select({ patientNhsNumber: auditEvents.patientNhsNumber, occurredAt: auditEvents.occurredAt })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.actorEmail, ctx.email),
          eq(auditEvents.action, "audit.patient_report"),
          isNotNull(auditEvents.patientNhsNumber),
          gte(auditEvents.occurredAt, new Date(now.getTime() - days * 86_400_000)),
        ),
      )
      .orderBy(...newestFirst)
      .limit(200);
    const seen = new Map<string, Date>();
    for (const r of rows) if (r.patientNhsNumber && !seen.has(r.patientNhsNumber)) seen.set(r.patientNhsNumber, r.occurredAt);
    return [...seen].slice(0, shown).map(([patientNhsNumber, lookedUpAt]) => ({ patientNhsNumber, lookedUpAt }));
  });
}

/**
 * The patient a study is of, as the PACS's events about it name them (the exam records carry no
 * patient): the newest event of the study that names one, read in the study's index. Null when the
 * trail holds none the caller may see.
 */
export async function patientOfStudy(tx: Tx, studyInstanceUid: string): Promise<string | null> {
  const [row] = await tx
    .select({ patientNhsNumber: auditEvents.patientNhsNumber })
    .from(auditEvents)
    .where(and(eq(auditEvents.studyInstanceUid, studyInstanceUid), isNotNull(auditEvents.patientNhsNumber)))
    .orderBy(...newestFirst)
    .limit(1);
  return row?.patientNhsNumber ?? null;
}
