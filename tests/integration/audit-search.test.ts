import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/audit-events/route";
import { addAlertNote, assignAlert, closeAlert, getAlert, listAlerts } from "@/lib/audit/alerts";
import { auditCsvStream } from "@/lib/audit/export";
import { searchAuditEvents } from "@/lib/audit/search";
import { auditFilter } from "@/lib/audit/search-filter";
import { recentVerifications, runVerification } from "@/lib/audit/verify-runs";
import type { Ctx } from "@/lib/auth/context";
import { AppError } from "@/lib/errors";
import { makeApiKey, postJson } from "../helpers/api";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";

let a: TestTrust, b: TestTrust, c: TestTrust;
let igA: Ctx, igB: Ctx, igC: Ctx, igAll: Ctx, pacsA: Ctx;
const patient = "9990000034";

let minute = 0;
// Daytime in May, a minute apart: no night-time alerts, and a stable newest-first order.
const daytime = () => new Date(Date.UTC(2026, 4, 1, 9, 0, 0) + ++minute * 60_000).toISOString();

const event = (actorTrust: TestTrust, sourceTrust: TestTrust, overrides: Record<string, unknown> = {}) => ({
  eventId: crypto.randomUUID(),
  occurredAt: daytime(),
  action: "study.view",
  outcome: "success",
  actor: { user: `clinician@${actorTrust.odsCode.toLowerCase()}.example`, trust: actorTrust.odsCode, role: "clinician" },
  patient: { nhsNumber: patient },
  study: { studyInstanceUid: `1.2.826.0.1.${Math.floor(Math.random() * 1e9)}`, sourceTrust: sourceTrust.odsCode, modality: "CT" },
  purpose: "direct_care",
  policy: actorTrust === sourceTrust ? null : { id: "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b", version: 1 },
  ...overrides,
});

beforeAll(async () => {
  [a, b, c] = [await makeTrust(), await makeTrust(), await makeTrust()];
  igA = await makeUser([{ role: "ig_officer", trustId: a.id }]);
  igB = await makeUser([{ role: "ig_officer", trustId: b.id }]);
  igC = await makeUser([{ role: "ig_officer", trustId: c.id }]);
  igAll = await makeUser([{ role: "ig_officer", trustId: null }], { homeTrustId: null });
  pacsA = await makeUser([{ role: "pacs_manager", trustId: a.id }]);
  const key = await makeApiKey(["audit:write"]);
  // 12 events in A about A's images, 7 by A's staff on B's images, 5 by B's staff on B's images,
  // 3 by C's staff on C's images, and one cross-trust access by B to A's images with no policy.
  const events = [
    ...Array.from({ length: 12 }, () => event(a, a)),
    ...Array.from({ length: 7 }, () => event(a, b)),
    ...Array.from({ length: 5 }, () => event(b, b)),
    ...Array.from({ length: 3 }, () => event(c, c)),
    event(b, a, { policy: null }),
  ];
  const res = await POST(postJson("/api/v1/audit-events", key, { events }));
  expect(await res.json()).toEqual({ accepted: 28, duplicates: 0 });
});

const all = async (ctx: Ctx, filter: Record<string, string> = {}) => {
  const rows = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await searchAuditEvents(ctx, auditFilter.parse({ ...filter, action: "study.view", cursor }), 5);
    rows.push(...page.rows);
    if (!page.nextCursor) return rows;
    cursor = page.nextCursor;
  }
};

describe("audit search", () => {
  it("shows a trust's officer the events about its images and by its staff, and no others", async () => {
    const seen = await all(igA);
    expect(seen).toHaveLength(20);
    expect(seen.every((r) => r.sourceTrust === a.odsCode || r.actorTrust === a.odsCode)).toBe(true);
    expect(await all(igB)).toHaveLength(7 + 5 + 1);
    expect(await all(igC)).toHaveLength(3);
  });

  it("shows consortium IG everything", async () => {
    expect(await all(igAll)).toHaveLength(28);
  });

  it("pages with a keyset cursor, newest first, with no repeats and no gaps", async () => {
    const rows = await all(igAll);
    expect(new Set(rows.map((r) => r.id)).size).toBe(28);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1]!.occurredAt.getTime()).toBeGreaterThanOrEqual(rows[i]!.occurredAt.getTime());
  });

  it("filters by patient, trust of the images, staff trust and user", async () => {
    expect(await all(igAll, { patient: "999 000 0034" })).toHaveLength(28);
    expect(await all(igAll, { patient: "9990000018" })).toHaveLength(0);
    expect(await all(igAll, { trust: b.odsCode })).toHaveLength(12);
    expect(await all(igAll, { actorTrust: a.odsCode })).toHaveLength(19);
    expect(await all(igA, { trust: b.odsCode })).toHaveLength(7);
    expect(await all(igC, { trust: a.odsCode })).toHaveLength(0);
    expect(await all(igAll, { user: `clinician@${c.odsCode.toLowerCase()}.example` })).toHaveLength(3);
  });

  it("is refused as not found to roles without audit.read", async () => {
    await expect(searchAuditEvents(pacsA, auditFilter.parse({}))).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === "NOT_FOUND");
  });

  it("records every search and export as an audit event of the officer", async () => {
    await searchAuditEvents(igB, auditFilter.parse({ patient }));
    const stream = await auditCsvStream(igB, auditFilter.parse({ patient }));
    const csv = await new Response(stream).text();
    expect(csv.split("\r\n")[0]).toMatch(/^occurred_at,recorded_at,action/);
    expect(csv.trim().split("\r\n")).toHaveLength(1 + 13); // the header and B's 13 accesses
    const events = await ownerQuery<{ action: string; source_trust_id: string }>(sql`select action, source_trust_id from audit_events where actor_user_id = ${igB.userId} order by seq`);
    // Earlier tests' searches came first; this test's report and export are the last two.
    expect(events.map((e) => e.action).slice(-2)).toEqual(["audit.patient_report", "audit.export"]);
    expect(events.slice(0, -2).every((e) => e.action === "audit.search")).toBe(true);
    expect(events.every((e) => e.source_trust_id === b.id)).toBe(true);
    // Consortium IG sees the auditors' own trail.
    expect((await searchAuditEvents(igAll, auditFilter.parse({ user: igB.email }))).rows.map((r) => r.action).slice(0, 2)).toEqual(["audit.export", "audit.patient_report"]);
  });
});

describe("the alert queue", () => {
  it("is worked to closed by the source trust's officer, each step recorded; other trusts get not found", async () => {
    const queue = await listAlerts(igA, {});
    expect(queue.rows.map((r) => r.rule)).toEqual(["no_legitimate_basis"]);
    const alertId = queue.rows[0]!.id;
    expect((await listAlerts(igB, {})).rows).toEqual([]);
    await expect(getAlert(igB, alertId)).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === "NOT_FOUND");
    expect(await assignAlert(igB, alertId, { assignee: igB.userId })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });

    expect(await assignAlert(igA, alertId, { assignee: pacsA.userId })).toMatchObject({ ok: false, error: { fieldErrors: { assignee: [expect.any(String)] } } });
    expect(await assignAlert(igA, alertId, { assignee: igA.userId })).toMatchObject({ ok: true });
    expect(await addAlertNote(igA, alertId, { body: "Asked B's IG lead whether an MDT was booked." })).toMatchObject({ ok: true });
    expect(await closeAlert(igA, alertId, { resolution: "legitimate" })).toMatchObject({ ok: false, error: { fieldErrors: { body: [expect.any(String)] } } });
    expect(await closeAlert(igA, alertId, { resolution: "legitimate", body: "MDT booked; policy renewal was late. Renewed." })).toMatchObject({ ok: true });
    expect(await closeAlert(igA, alertId, { resolution: "legitimate", body: "Closing twice should fail." })).toMatchObject({ ok: false, error: { code: "CONFLICT" } });

    const alert = await getAlert(igA, alertId);
    expect(alert).toMatchObject({ status: "closed", resolution: "legitimate", assignedTo: igA.userId });
    expect(alert.notes.map((n) => n.body)).toEqual(["Asked B's IG lead whether an MDT was booked.", "MDT booked; policy renewal was late. Renewed."]);
    expect((await listAlerts(igA, {})).rows).toEqual([]);
    expect((await listAlerts(igA, { status: "closed" })).rows).toHaveLength(1);
    const trail = await ownerQuery<{ action: string }>(sql`select action from audit_events where target_id = ${alertId} order by seq`);
    expect(trail.map((e) => e.action)).toEqual(["alert.assign", "alert.note", "alert.close"]);
  });
});

describe("verification runs", () => {
  it("walk the caller's chains and are recorded for later reading", async () => {
    const run = await runVerification(igC);
    expect(run.chains.map((ch) => [ch.chain, ch.ok])).toEqual([[c.id, true]]);
    const again = await runVerification(igAll);
    expect(again.chains.length).toBeGreaterThanOrEqual(4);
    expect(again.chains.every((ch) => ch.ok)).toBe(true);
    expect((await recentVerifications(igC))[0]).toMatchObject({ chains: [{ chain: c.id, ok: true }] });
    // Another trust's run is not shown to C's officers; the consortium's officers see every run.
    await runVerification(igA);
    expect((await recentVerifications(igC)).map((r) => r.chains.map((ch) => ch.chain))).toEqual([[c.id]]);
    expect(await recentVerifications(igAll)).toHaveLength(3);
  });
});
