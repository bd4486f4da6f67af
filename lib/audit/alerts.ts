import "server-only";
import { and, asc, desc, eq, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import { auditAlertNotes, auditAlerts, auditEvents, roleAssignments, users } from "@/db/schema";
import { can, roleFor, trustsWhere, type Ctx } from "@/lib/auth/context";
import { mutation } from "@/lib/db/mutation";
import { withTenant, type Tx } from "@/lib/db/scope";
import { AppError, notFound } from "@/lib/errors";
import { trustDirectory } from "@/lib/trust-directory";
import { assignInput, closeInput, noteInput, type AlertFilter } from "./alert-schemas";
import { actorOf, recordAuditEvent } from "./record";
import { decodeCursor, encodeCursor } from "./search-filter";

const alertPage = 50;

function alertScope(ctx: Ctx) {
  const scope = trustsWhere(ctx, "alerts.work");
  if (!scope.all && scope.trustIds.length === 0) throw notFound("Not found.");
  return scope;
}

/** The alert queue: open and assigned alerts by default, newest event first, keyset-paged. */
export async function listAlerts(ctx: Ctx, filter: AlertFilter) {
  const scope = alertScope(ctx);
  return withTenant(ctx, async (tx) => {
    const parts: (SQL | undefined)[] = [scope.all ? undefined : inArray(auditAlerts.trustId, scope.trustIds)];
    const status = filter.status ?? "open";
    if (status === "open") parts.push(inArray(auditAlerts.status, ["open", "assigned"]));
    else if (status !== "all") parts.push(eq(auditAlerts.status, status));
    if (filter.rule) parts.push(eq(auditAlerts.rule, filter.rule));
    if (filter.severity) parts.push(eq(auditAlerts.severity, filter.severity));
    const cursor = decodeCursor(filter.cursor);
    if (cursor) parts.push(sql`(${auditAlerts.eventOccurredAt}, ${auditAlerts.id}) < (${cursor.occurredAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`);
    const rows = await tx
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
        createdAt: auditAlerts.createdAt,
      })
      .from(auditAlerts)
      .leftJoin(users, eq(users.id, auditAlerts.assignedTo))
      .where(and(...parts))
      // By the time of what happened, as the queue shows it: alerts are raised in batches by the
      // scan and events arrive late, so the order they were raised in is not the order in time.
      .orderBy(desc(auditAlerts.eventOccurredAt), desc(auditAlerts.id))
      .limit(alertPage + 1);
    const trusts = await trustDirectory(tx);
    const ods = new Map(trusts.map((t) => [t.id, t.odsCode]));
    const page = rows.slice(0, alertPage).map((r) => ({ ...r, trust: ods.get(r.trustId) ?? "" }));
    const last = page.at(-1);
    return { rows: page, nextCursor: rows.length > alertPage && last ? encodeCursor(last.eventOccurredAt, last.id) : null };
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
      canWork: can(ctx, "alerts.work", alert.trustId),
    };
  });
}

const auditAlertChange = (tx: Tx, ctx: Ctx, alert: { id: string; trustId: string }, action: string, details: Record<string, unknown>) =>
  recordAuditEvent(tx, {
    action,
    actor: actorOf(ctx, roleFor(ctx, "alerts.work", alert.trustId)),
    sourceTrustId: alert.trustId,
    target: { type: "audit_alert", id: alert.id },
    details,
    client: ctx.client,
  });

/** Gives an alert to an IG officer who may work it. */
export function assignAlert(ctx: Ctx, alertId: string, input: unknown) {
  return mutation(ctx, assignInput, input, async (tx, data) => {
    const alert = await findAlert(tx, ctx, alertId);
    if (alert.status === "closed") throw new AppError("CONFLICT", "This alert is closed.");
    const workers = await alertWorkers(tx, alert.trustId);
    if (!workers.some((w) => w.id === data.assignee)) throw new AppError("VALIDATION", "Choose an IG officer of this trust.", { fieldErrors: { assignee: ["Choose an IG officer of this trust."] } });
    await tx.update(auditAlerts).set({ assignedTo: data.assignee, status: "assigned", updatedAt: new Date() }).where(and(eq(auditAlerts.trustId, alert.trustId), eq(auditAlerts.id, alert.id)));
    await auditAlertChange(tx, ctx, alert, "alert.assign", { before: { status: alert.status, assignedTo: alert.assignedTo }, after: { status: "assigned", assignedTo: data.assignee } });
    return { id: alert.id };
  });
}

/** Adds a note to an alert (notes are never changed or removed). */
export function addAlertNote(ctx: Ctx, alertId: string, input: unknown) {
  return mutation(ctx, noteInput, input, async (tx, data) => {
    const alert = await findAlert(tx, ctx, alertId);
    await tx.insert(auditAlertNotes).values({ trustId: alert.trustId, alertId: alert.id, authorId: ctx.userId, body: data.body });
    await auditAlertChange(tx, ctx, alert, "alert.note", { note: data.body });
    return { id: alert.id };
  });
}

/** Closes an alert with its resolution and the reason, which becomes its last note. */
export function closeAlert(ctx: Ctx, alertId: string, input: unknown) {
  return mutation(ctx, closeInput, input, async (tx, data) => {
    const alert = await findAlert(tx, ctx, alertId);
    if (alert.status === "closed") throw new AppError("CONFLICT", "This alert is already closed.");
    const now = new Date();
    await tx
      .update(auditAlerts)
      .set({ status: "closed", resolution: data.resolution, closedAt: now, closedBy: ctx.userId, updatedAt: now })
      .where(and(eq(auditAlerts.trustId, alert.trustId), eq(auditAlerts.id, alert.id)));
    await tx.insert(auditAlertNotes).values({ trustId: alert.trustId, alertId: alert.id, authorId: ctx.userId, body: data.body });
    await auditAlertChange(tx, ctx, alert, "alert.close", { before: { status: alert.status }, after: { status: "closed", resolution: data.resolution }, note: data.body });
    return { id: alert.id };
  });
}
