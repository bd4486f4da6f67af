import "server-only";
import { and, asc, desc, eq, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { auditAlertNotes, auditAlerts, auditEvents, roleAssignments, users } from "@/db/schema";
import { can, roleFor, trustsWhere, type Ctx } from "@/lib/auth/context";
import { z } from "zod";
import { defineMutation } from "@/lib/mutation";
import { actorOf, recordAuditEvent } from "./record";
import { withTenant, type Tx } from "@/lib/db/scope";
import { AppError, notFound } from "@/lib/errors";
import { trustDirectory } from "@/lib/trust-directory";
import { assignInput, bulkCloseInput, closeInput, noteInput, reopenInput, type AlertFilter } from "./alert-schemas";
import { decodeCursor, encodeCursor } from "./search-filter";

const alertPage = 50;

function alertScope(ctx: Ctx) {
  const scope = trustsWhere(ctx, "alerts.work");
  if (!scope.all && scope.trustIds.length === 0) throw notFound("Not found.");
  return scope;
}

/** The conditions of a queue's filters (not its page): shared by the queue and its CSV export. */
function queueWhere(scope: ReturnType<typeof alertScope>, filter: AlertFilter): (SQL | undefined)[] {
  const parts: (SQL | undefined)[] = [scope.all ? undefined : inArray(auditAlerts.trustId, scope.trustIds)];
  const status = filter.status ?? "open";
  if (status === "open") parts.push(inArray(auditAlerts.status, ["open", "assigned"]));
  else if (status !== "all") parts.push(eq(auditAlerts.status, status));
  if (filter.rule) parts.push(eq(auditAlerts.rule, filter.rule));
  if (filter.severity) parts.push(eq(auditAlerts.severity, filter.severity));
  return parts;
}

/** The queue's rows, newest event first, with the trust's ODS code and the assignee's name. */
async function queueRows(tx: Tx, where: SQL | undefined, limit?: number) {
  const query = tx
    .select({
      id: auditAlerts.id,
      trustId: auditAlerts.trustId,
      rule: auditAlerts.rule,
      severity: auditAlerts.severity,
      status: auditAlerts.status,
      summary: auditAlerts.summary,
      eventOccurredAt: auditAlerts.eventOccurredAt,
      patientNhsNumber: auditAlerts.patientNhsNumber,
      actorEmail: auditAlerts.actorEmail,
      assignedTo: auditAlerts.assignedTo,
      assigneeName: users.name,
      resolution: auditAlerts.resolution,
      createdAt: auditAlerts.createdAt,
    })
    .from(auditAlerts)
    .leftJoin(users, eq(users.id, auditAlerts.assignedTo))
    .where(where)
    // By the time of what happened, as the queue shows it: alerts are raised in batches by the
    // scan and events arrive late, so the order they were raised in is not the order in time.
    .orderBy(desc(auditAlerts.eventOccurredAt), desc(auditAlerts.id))
    .$dynamic();
  const rows = await (limit === undefined ? query : query.limit(limit));
  const trusts = await trustDirectory(tx);
  const ods = new Map(trusts.map((t) => [t.id, t.odsCode]));
  return rows.map((r) => ({ ...r, trust: ods.get(r.trustId) ?? "" }));
}

/** The alert queue: open and assigned alerts by default, newest event first, keyset-paged. */
export async function listAlerts(ctx: Ctx, filter: AlertFilter) {
  const scope = alertScope(ctx);
  return withTenant(ctx, async (tx) => {
    const parts = queueWhere(scope, filter);
    const cursor = decodeCursor(filter.cursor);
    if (cursor) parts.push(sql`(${auditAlerts.eventOccurredAt}, ${auditAlerts.id}) < (${cursor.occurredAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`);
    const rows = await queueRows(tx, and(...parts), alertPage + 1);
    const page = rows.slice(0, alertPage);
    const last = page.at(-1);
    return { rows: page, nextCursor: rows.length > alertPage && last ? encodeCursor(last.eventOccurredAt, last.id) : null };
  });
}

/** Every alert of the queue's filters (every page, no cursor) for its CSV export, newest event first. */
export async function exportAlerts(ctx: Ctx, filter: AlertFilter) {
  const scope = alertScope(ctx);
  return withTenant(ctx, async (tx) => {
    const rows = await queueRows(tx, and(...queueWhere(scope, filter)));
    // The alerts name patients and staff: their export is in the trail, as the audit trail's own is.
    const trustId = scope.all ? null : (scope.trustIds.length === 1 ? scope.trustIds[0]! : (ctx.homeTrustId ?? scope.trustIds[0]!));
    await recordAuditEvent(tx, {
      action: "audit.export",
      actor: actorOf(ctx, roleFor(ctx, "alerts.work", trustId)),
      sourceTrustId: trustId,
      details: { what: "alerts", filter: { ...filter, cursor: undefined }, format: "csv", rows: rows.length },
      client: ctx.client,
    });
    return rows;
  });
}

async function findAlert(tx: Tx, ctx: Ctx, alertId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(alertId)) throw notFound("No such alert.");
  const [alert] = await tx.select().from(auditAlerts).where(eq(auditAlerts.id, alertId));
  // Another trust's alert is "not found", exactly as a missing one.
  if (!alert || !can(ctx, "alerts.work", alert.trustId)) throw notFound("No such alert.");
  return alert;
}

/** IG officers who may work alerts of this trust (its own, and the consortium's). */
async function alertWorkers(tx: Tx, trustId: string) {
  const now = new Date();
  return tx
    .selectDistinct({ id: users.id, name: users.name, email: users.email })
    .from(roleAssignments)
    .innerJoin(users, eq(users.id, roleAssignments.userId))
    .where(
      and(
        eq(roleAssignments.role, "ig_officer"),
        or(eq(roleAssignments.trustId, trustId), isNull(roleAssignments.trustId)),
        isNull(roleAssignments.revokedAt),
        lte(roleAssignments.validFrom, now),
        or(isNull(roleAssignments.validUntil), sql`${roleAssignments.validUntil} > now()`),
        eq(users.status, "active"),
      ),
    )
    .orderBy(asc(users.name));
}

/** One alert with its event, its notes and who may work it. */
export async function getAlert(ctx: Ctx, alertId: string) {
  alertScope(ctx);
  return withTenant(ctx, async (tx) => {
    const alert = await findAlert(tx, ctx, alertId);
    const notes = await tx
      .select({ id: auditAlertNotes.id, body: auditAlertNotes.body, createdAt: auditAlertNotes.createdAt, author: users.name })
      .from(auditAlertNotes)
      .innerJoin(users, eq(users.id, auditAlertNotes.authorId))
      .where(and(eq(auditAlertNotes.trustId, alert.trustId), eq(auditAlertNotes.alertId, alert.id)))
      .orderBy(asc(auditAlertNotes.createdAt));
    const [event] = alert.eventId
      ? await tx
          .select({ id: auditEvents.id, action: auditEvents.action, purpose: auditEvents.purpose, modality: auditEvents.modality, studyInstanceUid: auditEvents.studyInstanceUid, actorRole: auditEvents.actorRole, breakGlassJustification: auditEvents.breakGlassJustification, chain: auditEvents.chain, seq: auditEvents.seq })
          .from(auditEvents)
          // An event id is unique within its trust's chain, not across trusts (machine idempotency
          // is per owning trust): the alert's trust names the chain.
          .where(and(eq(auditEvents.chain, alert.trustId), eq(auditEvents.id, alert.eventId), eq(auditEvents.occurredAt, alert.eventOccurredAt)))
      : [];
    const trusts = await trustDirectory(tx);
    const ods = new Map(trusts.map((t) => [t.id, t.odsCode]));
    const assignee = alert.assignedTo ? (await tx.select({ name: users.name }).from(users).where(eq(users.id, alert.assignedTo)))[0]?.name ?? null : null;
    return {
      ...alert,
      trust: ods.get(alert.trustId) ?? "",
      actorTrust: alert.actorTrustId ? (ods.get(alert.actorTrustId) ?? null) : null,
      assignee,
      notes,
      event: event ?? null,
      workers: await alertWorkers(tx, alert.trustId),
      history: await alertHistory(tx, alert),
      canWork: can(ctx, "alerts.work", alert.trustId),
    };
  });
}

const alertParams = z.object({ alertId: z.uuid() });
/** The contract of a change to one alert: found among the caller's (else not found), worked with alerts.work. */
const alertChange = {
  permission: "alerts.work",
  params: alertParams,
  missing: "No such alert.",
  locate: async (tx: Tx, ctx: Ctx, { params }: { params: { alertId: string } }) => {
    const alert = await findAlert(tx, ctx, params.alertId);
    return { trustId: alert.trustId, alert };
  },
} as const;
const alertTarget = (id: string) => ({ type: "audit_alert", id });

/** The steps of an alert's life, for its page: who did what, when. */
export type AlertStep = {
  at: Date;
  action: "raised" | "alert.assign" | "alert.note" | "alert.close" | "alert.reopen";
  by: string | null;
  /** For an assignment, who was given the alert; for a closing, its resolution. */
  assignee: string | null;
  resolution: string | null;
};

const alertActions = ["alert.assign", "alert.note", "alert.close", "alert.reopen"] as const;

/**
 * An alert's history, read from the audit trail itself (each step is recorded there in the step's
 * transaction, on the alert's trust's chain): what the page shows is what an auditor would find.
 * The first step is the alert's raising by the scan.
 */
async function alertHistory(tx: Tx, alert: { id: string; trustId: string; createdAt: Date }): Promise<AlertStep[]> {
  const assignee = alias(users, "assignee");
  const steps = await tx
    .select({ at: auditEvents.occurredAt, action: auditEvents.action, by: users.name, email: auditEvents.actorEmail, assignee: assignee.name, resolution: sql<string | null>`${auditEvents.details} -> 'after' ->> 'resolution'` })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorUserId))
    // Who an assignment named, by the id its event recorded (a uuid, or nothing for other steps).
    .leftJoin(assignee, sql`${assignee.id}::text = ${auditEvents.details} -> 'after' ->> 'assignedTo'`)
    .where(and(eq(auditEvents.sourceTrustId, alert.trustId), eq(auditEvents.targetType, "audit_alert"), eq(auditEvents.targetId, alert.id), inArray(auditEvents.action, [...alertActions])))
    .orderBy(asc(auditEvents.occurredAt), asc(auditEvents.seq));
  return [
    { at: alert.createdAt, action: "raised", by: null, assignee: null, resolution: null },
    ...steps.map((s) => ({
      at: s.at,
      action: s.action as AlertStep["action"],
      by: s.by ?? s.email,
      assignee: s.action === "alert.assign" ? s.assignee : null,
      resolution: s.action === "alert.close" ? s.resolution : null,
    })),
  ];
}


const assignAlertMutation = defineMutation({
  ...alertChange,
  name: "alerts.assign",
  input: assignInput,
  audit: ["alert.assign"],
  run: async ({ tx, data, found: { alert }, audit }) => {
    if (alert.status === "closed") throw new AppError("CONFLICT", "This alert is closed.");
    const workers = await alertWorkers(tx, alert.trustId);
    if (!workers.some((w) => w.id === data.assignee)) throw new AppError("VALIDATION", "Choose an IG officer of this trust.", { fieldErrors: { assignee: ["Choose an IG officer of this trust."] } });
    await tx.update(auditAlerts).set({ assignedTo: data.assignee, status: "assigned", updatedAt: new Date() }).where(and(eq(auditAlerts.trustId, alert.trustId), eq(auditAlerts.id, alert.id)));
    await audit({ action: "alert.assign", target: alertTarget(alert.id), details: { before: { status: alert.status, assignedTo: alert.assignedTo }, after: { status: "assigned", assignedTo: data.assignee } } });
    return { id: alert.id };
  },
});

/** Gives an alert to an IG officer who may work it. */
export const assignAlert = (ctx: Ctx, alertId: string, input: unknown) => assignAlertMutation(ctx, { alertId }, input);

const addAlertNoteMutation = defineMutation({
  ...alertChange,
  name: "alerts.note",
  input: noteInput,
  audit: ["alert.note"],
  run: async ({ tx, ctx, data, found: { alert }, audit }) => {
    await tx.insert(auditAlertNotes).values({ trustId: alert.trustId, alertId: alert.id, authorId: ctx.userId, body: data.body });
    await audit({ action: "alert.note", target: alertTarget(alert.id), details: { note: data.body } });
    return { id: alert.id };
  },
});

/** Adds a note to an alert (notes are never changed or removed). */
export const addAlertNote = (ctx: Ctx, alertId: string, input: unknown) => addAlertNoteMutation(ctx, { alertId }, input);

const closeAlertMutation = defineMutation({
  ...alertChange,
  name: "alerts.close",
  input: closeInput,
  audit: ["alert.close"],
  run: async ({ tx, ctx, data, found: { alert }, audit }) => {
    if (alert.status === "closed") throw new AppError("CONFLICT", "This alert is already closed.");
    const now = new Date();
    await tx
      .update(auditAlerts)
      .set({ status: "closed", resolution: data.resolution, closedAt: now, closedBy: ctx.userId, updatedAt: now })
      .where(and(eq(auditAlerts.trustId, alert.trustId), eq(auditAlerts.id, alert.id)));
    await tx.insert(auditAlertNotes).values({ trustId: alert.trustId, alertId: alert.id, authorId: ctx.userId, body: data.body });
    await audit({ action: "alert.close", target: alertTarget(alert.id), details: { before: { status: alert.status }, after: { status: "closed", resolution: data.resolution }, note: data.body } });
    return { id: alert.id };
  },
});

/** Closes an alert with its resolution and the reason, which becomes its last note. */
export const closeAlert = (ctx: Ctx, alertId: string, input: unknown) => closeAlertMutation(ctx, { alertId }, input);

const reopenAlertMutation = defineMutation({
  ...alertChange,
  name: "alerts.reopen",
  input: reopenInput,
  audit: ["alert.reopen"],
  run: async ({ tx, ctx, data, found: { alert }, audit }) => {
    if (alert.status !== "closed") throw new AppError("CONFLICT", "This alert is not closed.");
    const status = alert.assignedTo ? "assigned" : "open";
    await tx
      .update(auditAlerts)
      .set({ status, resolution: null, closedAt: null, closedBy: null, updatedAt: new Date() })
      .where(and(eq(auditAlerts.trustId, alert.trustId), eq(auditAlerts.id, alert.id)));
    await tx.insert(auditAlertNotes).values({ trustId: alert.trustId, alertId: alert.id, authorId: ctx.userId, body: data.body });
    await audit({ action: "alert.reopen", target: alertTarget(alert.id), details: { before: { status: alert.status, resolution: alert.resolution }, after: { status }, note: data.body } });
    return { id: alert.id };
  },
});

/** Opens a closed alert again with the reason, which becomes a note; it goes back to whoever had it. */
export const reopenAlert = (ctx: Ctx, alertId: string, input: unknown) => reopenAlertMutation(ctx, { alertId }, input);

const closeAlertsMutation = defineMutation({
  name: "alerts.close_many",
  permission: "alerts.work",
  input: bulkCloseInput,
  audit: ["alert.close"],
  // Every id must be an alert the caller may work (another trust's is "not found", as a missing
  // one); the permission is then checked again at the first one's trust by the wrapper.
  locate: async (tx, ctx, { data }) => {
    const scope = alertScope(ctx);
    const found = await tx
      .select()
      .from(auditAlerts)
      .where(and(scope.all ? undefined : inArray(auditAlerts.trustId, scope.trustIds), inArray(auditAlerts.id, data.ids)))
      .for("update");
    // Row-level security hides other trusts' alerts; the permission check covers a trust where the
    // caller can read but not work them.
    const alerts = found.filter((a) => can(ctx, "alerts.work", a.trustId));
    if (alerts.length !== data.ids.length || !alerts[0]) throw notFound(data.ids.length === 1 ? "No such alert." : "Some of these alerts were not found. Nothing was closed.");
    return { trustId: alerts[0].trustId, alerts };
  },
  run: async ({ tx, ctx, data, found: { alerts }, audit }) => {
    const closed = alerts.filter((a) => a.status === "closed").length;
    if (closed) throw new AppError("CONFLICT", `${closed === 1 ? "One of these alerts is" : `${closed} of these alerts are`} already closed. Nothing was closed: reload the list and choose again.`);
    const now = new Date();
    for (const alert of alerts) {
      await tx
        .update(auditAlerts)
        .set({ status: "closed", resolution: data.resolution, closedAt: now, closedBy: ctx.userId, updatedAt: now })
        .where(and(eq(auditAlerts.trustId, alert.trustId), eq(auditAlerts.id, alert.id)));
      await tx.insert(auditAlertNotes).values({ trustId: alert.trustId, alertId: alert.id, authorId: ctx.userId, body: data.body });
      await audit({
        action: "alert.close",
        target: alertTarget(alert.id),
        sourceTrustId: alert.trustId,
        role: roleFor(ctx, "alerts.work", alert.trustId),
        details: { before: { status: alert.status }, after: { status: "closed", resolution: data.resolution }, note: data.body, bulk: alerts.length },
      });
    }
    return { closed: alerts.length };
  },
});

/**
 * Closes several alerts with one resolution and reason: all of them or none. An id the caller may
 * not work (another trust's alert) is "not found" exactly as a missing one, and nothing is closed;
 * so is a batch in which one was closed meanwhile (a conflict), so the person sees the queue again.
 * Each alert gets its own note and its own audit event, as if closed one by one.
 */
export const closeAlerts = (ctx: Ctx, input: unknown) => closeAlertsMutation(ctx, {}, input);

/** An alert as the IG officer's work list shows it. */
export type WorklistAlert = { id: string; rule: string; severity: "high" | "medium" | "low"; summary: string; eventOccurredAt: Date; trust: string };

/**
 * The caller's open alerts for their home page: those assigned to them and those no one has taken,
 * each counted and the newest few listed; null for callers who do not work alerts. Only the trusts
 * where the caller works alerts are read (and row-level security allows no others).
 */
export async function alertWorklist(ctx: Ctx, shown = 5) {
  const scope = trustsWhere(ctx, "alerts.work");
  if (!scope.all && scope.trustIds.length === 0) return null;
  return withTenant(ctx, async (tx) => {
    const inScope = and(scope.all ? undefined : inArray(auditAlerts.trustId, scope.trustIds), inArray(auditAlerts.status, ["open", "assigned"]));
    const [counts] = await tx
      .select({
        mine: sql<number>`count(*) filter (where ${auditAlerts.assignedTo} = ${ctx.userId})::int`,
        unassigned: sql<number>`count(*) filter (where ${auditAlerts.assignedTo} is null)::int`,
      })
      .from(auditAlerts)
      .where(inScope);
    const trusts = await trustDirectory(tx);
    const ods = new Map(trusts.map((t) => [t.id, t.odsCode]));
    const newest = async (who: SQL) => {
      const rows = await tx
        .select({ id: auditAlerts.id, trustId: auditAlerts.trustId, rule: auditAlerts.rule, severity: auditAlerts.severity, summary: auditAlerts.summary, eventOccurredAt: auditAlerts.eventOccurredAt })
        .from(auditAlerts)
        .where(and(inScope, who))
        .orderBy(desc(auditAlerts.eventOccurredAt), desc(auditAlerts.id))
        .limit(shown);
      return rows.map(({ trustId, ...r }): WorklistAlert => ({ ...r, trust: ods.get(trustId) ?? "" }));
    };
    return {
      mine: { count: counts?.mine ?? 0, rows: await newest(eq(auditAlerts.assignedTo, ctx.userId)) },
      unassigned: { count: counts?.unassigned ?? 0, rows: await newest(isNull(auditAlerts.assignedTo)) },
    };
  });
}
