// Alerts closed in bulk, reopened, and each alert's history: every change checked, audited in its
// own transaction, and confined to the alerts of the caller's trusts (another trust's alert is
// "not found", and a batch that names one closes nothing).
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditAlerts } from "@/db/schema";
import { addAlertNote, assignAlert, closeAlert, closeAlerts, exportAlerts, getAlert, listAlerts, reopenAlert } from "@/lib/audit/alerts";
import type { Ctx } from "@/lib/auth/context";
import { testDatabase } from "../helpers/database";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";

let a: TestTrust, b: TestTrust;
let igA: Ctx, igA2: Ctx, igB: Ctx, igAll: Ctx, pacsA: Ctx;

let minute = 0;
/** An open alert of a trust, as the scan raises it (setup as the table owner). */
async function makeAlert(trust: TestTrust): Promise<string> {
  const { db } = testDatabase();
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
    const [row] = await tx
      .insert(auditAlerts)
      .values({ trustId: trust.id, rule: "break_glass", severity: "high", summary: "Break-glass access to a restricted patient", eventOccurredAt: new Date(Date.UTC(2026, 4, 2, 9, ++minute)), patientNhsNumber: "9990000018" })
      .returning({ id: auditAlerts.id });
    if (!row) throw new Error("no alert");
    return row.id;
  });
}

const statusOf = async (id: string) => (await ownerQuery<{ status: string }>(sql`select status from audit_alerts where id = ${id}`))[0]?.status;
const trailOf = async (id: string) => (await ownerQuery<{ action: string; actor_user_id: string; details: Record<string, unknown> }>(sql`select action, actor_user_id, details from audit_events where target_type = 'audit_alert' and target_id = ${id} order by seq`));
const reason = "Reviewed with the clinical lead: direct care, documented.";

beforeAll(async () => {
  [a, b] = [await makeTrust(), await makeTrust()];
  igA = await makeUser([{ role: "ig_officer", trustId: a.id }]);
  igA2 = await makeUser([{ role: "ig_officer", trustId: a.id }]);
  igB = await makeUser([{ role: "ig_officer", trustId: b.id }]);
  igAll = await makeUser([{ role: "ig_officer", trustId: null }], { homeTrustId: null });
  pacsA = await makeUser([{ role: "pacs_manager", trustId: a.id }]);
});

describe("closing alerts in bulk", () => {
  it("closes every chosen alert with one resolution, each with its own note and audit event", async () => {
    const [x, y, z] = [await makeAlert(a), await makeAlert(a), await makeAlert(a)];
    expect(await closeAlerts(igA, { ids: [x, y], resolution: "false_positive", body: reason })).toEqual({ ok: true, data: { closed: 2 } });
    expect([await statusOf(x), await statusOf(y), await statusOf(z)]).toEqual(["closed", "closed", "open"]);
    for (const id of [x, y]) {
      const alert = await getAlert(igA, id);
      expect(alert).toMatchObject({ status: "closed", resolution: "false_positive", closedBy: igA.userId });
      expect(alert.notes.map((n) => n.body)).toEqual([reason]);
      const trail = await trailOf(id);
      expect(trail.map((e) => [e.action, e.actor_user_id])).toEqual([["alert.close", igA.userId]]);
      expect(trail[0]?.details).toMatchObject({ after: { status: "closed", resolution: "false_positive" }, bulk: 2 });
    }
    // One checkbox sends one id, not a list.
    expect(await closeAlerts(igA, { ids: z, resolution: "legitimate", body: reason })).toEqual({ ok: true, data: { closed: 1 } });
  });

  it("closes nothing when one of the alerts is another trust's, and says not found", async () => {
    const [own, theirs] = [await makeAlert(b), await makeAlert(a)];
    expect(await closeAlerts(igB, { ids: [own, theirs], resolution: "legitimate", body: reason })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    expect([await statusOf(own), await statusOf(theirs)]).toEqual(["open", "open"]);
    expect(await trailOf(own)).toEqual([]);
    expect(await trailOf(theirs)).toEqual([]);
    expect(await closeAlerts(igB, { ids: [theirs], resolution: "legitimate", body: reason })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    // Nor does anyone without alerts.work, at their own trust.
    expect(await closeAlerts(pacsA, { ids: [theirs], resolution: "legitimate", body: reason })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    expect(await statusOf(theirs)).toBe("open");
    // The consortium's officers work every trust's alerts.
    expect(await closeAlerts(igAll, { ids: [own, theirs], resolution: "training_needed", body: reason })).toEqual({ ok: true, data: { closed: 2 } });
  });

  it("closes nothing when one was closed meanwhile", async () => {
    const [open, closed] = [await makeAlert(a), await makeAlert(a)];
    expect(await closeAlert(igA2, closed, { resolution: "legitimate", body: reason })).toMatchObject({ ok: true });
    expect(await closeAlerts(igA, { ids: [open, closed], resolution: "legitimate", body: reason })).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
    expect(await statusOf(open)).toBe("open");
  });

  it.each([
    ["no alert chosen", { resolution: "legitimate", body: reason }, "ids"],
    ["an empty choice", { ids: [], resolution: "legitimate", body: reason }, "ids"],
    ["an id that is not one", { ids: ["not-an-id"], resolution: "legitimate", body: reason }, "ids"],
    ["more than a page", { ids: Array.from({ length: 51 }, () => crypto.randomUUID()), resolution: "legitimate", body: reason }, "ids"],
    ["no resolution", { ids: [crypto.randomUUID()], body: reason }, "resolution"],
    ["an unknown resolution", { ids: [crypto.randomUUID()], resolution: "ignored", body: reason }, "resolution"],
    ["no reason", { ids: [crypto.randomUUID()], resolution: "legitimate" }, "body"],
    ["too short a reason", { ids: [crypto.randomUUID()], resolution: "legitimate", body: "fine" }, "body"],
  ])("refuses %s, naming the field", async (_name, input, field) => {
    const result = await closeAlerts(igA, input);
    expect(result).toMatchObject({ ok: false, error: { code: "VALIDATION" } });
    expect(result.ok ? [] : Object.keys(result.error.fieldErrors ?? {})).toEqual([field]);
  });
});

describe("reopening an alert", () => {
  it("opens a closed alert again, back to whoever had it, with the reason as a note; only a closed one", async () => {
    const id = await makeAlert(a);
    expect(await reopenAlert(igA, id, { body: reason })).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
    expect(await assignAlert(igA, id, { assignee: igA2.userId })).toMatchObject({ ok: true });
    expect(await closeAlert(igA2, id, { resolution: "legitimate", body: reason })).toMatchObject({ ok: true });
    expect(await reopenAlert(igA, id, { body: "short" })).toMatchObject({ ok: false, error: { fieldErrors: { body: [expect.any(String)] } } });
    expect(await reopenAlert(igA, id, { body: "The clinician's MDT was not booked after all." })).toMatchObject({ ok: true });
    const alert = await getAlert(igA, id);
    expect(alert).toMatchObject({ status: "assigned", assignedTo: igA2.userId, resolution: null, closedAt: null, closedBy: null });
    expect(alert.notes.map((n) => n.body).at(-1)).toBe("The clinician's MDT was not booked after all.");
    expect((await listAlerts(igA, {})).rows.map((r) => r.id)).toContain(id);
    const unassigned = await makeAlert(a);
    await closeAlerts(igA, { ids: [unassigned], resolution: "legitimate", body: reason });
    expect(await reopenAlert(igA, unassigned, { body: reason })).toMatchObject({ ok: true });
    expect(await statusOf(unassigned)).toBe("open");
  });

  it("is not found for another trust's officer, and changes nothing", async () => {
    const id = await makeAlert(a);
    await closeAlerts(igA, { ids: [id], resolution: "legitimate", body: reason });
    expect(await reopenAlert(igB, id, { body: reason })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    expect(await reopenAlert(pacsA, id, { body: reason })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    expect(await statusOf(id)).toBe("closed");
    expect((await trailOf(id)).map((e) => e.action)).toEqual(["alert.close"]);
  });
});

describe("an alert's history", () => {
  it("shows who raised, assigned, noted, closed and reopened it, and when, from the audit trail", async () => {
    const id = await makeAlert(a);
    await assignAlert(igA, id, { assignee: igA2.userId });
    await addAlertNote(igA2, id, { body: "Called the clinician." });
    await closeAlert(igA2, id, { resolution: "misuse_referred", body: reason });
    await reopenAlert(igA, id, { body: "The referral was withdrawn; looking again." });
    const { history } = await getAlert(igA, id);
    expect(history.map((s) => [s.action, s.by, s.assignee, s.resolution])).toEqual([
      ["raised", null, null, null],
      ["alert.assign", igA.name, igA2.name, null],
      ["alert.note", igA2.name, null, null],
      ["alert.close", igA2.name, null, "misuse_referred"],
      ["alert.reopen", igA.name, null, null],
    ]);
    for (let i = 1; i < history.length; i++) expect(history[i]!.at.getTime()).toBeGreaterThanOrEqual(history[i - 1]!.at.getTime());
    // Another trust's officer sees neither the alert nor its history.
    await expect(getAlert(igB, id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("the queue's CSV export", () => {
  it("holds every page of the queue's filters, and only the caller's trusts' alerts", async () => {
    const [own, other] = [await makeTrust(), await makeTrust()];
    const ig = await makeUser([{ role: "ig_officer", trustId: own.id }]);
    const ids: string[] = [];
    for (let i = 0; i < 52; i++) ids.push(await makeAlert(own));
    const foreign = await makeAlert(other);
    // The queue shows a page; its export, every page.
    expect((await listAlerts(ig, {})).rows).toHaveLength(50);
    const all = await exportAlerts(ig, {});
    expect(all.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(all.map((r) => r.id)).not.toContain(foreign);
    const [first] = ids;
    if (!first) throw new Error("no alert");
    expect(await closeAlerts(ig, { ids: [first], resolution: "false_positive", body: reason })).toEqual({ ok: true, data: { closed: 1 } });
    expect((await exportAlerts(ig, { status: "closed" })).map((r) => [r.id, r.status, r.resolution])).toEqual([[first, "closed", "false_positive"]]);
    expect((await exportAlerts(ig, {})).map((r) => r.id)).not.toContain(first);
  });

  it("records each export in the audit trail, with its filter and row count", async () => {
    const own = await makeTrust();
    const ig = await makeUser([{ role: "ig_officer", trustId: own.id }]);
    await makeAlert(own);
    await exportAlerts(ig, { status: "open" });
    const events = await ownerQuery<{ action: string; source_trust_id: string; details: { what: string; rows: number; filter: { status: string } } }>(
      sql`select action, source_trust_id, details from audit_events where actor_user_id = ${ig.userId} and action = 'audit.export'`,
    );
    expect(events).toEqual([{ action: "audit.export", source_trust_id: own.id, details: expect.objectContaining({ what: "alerts", rows: 1, filter: { status: "open" } }) }]);
  });
});
