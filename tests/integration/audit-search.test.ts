import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/audit-events/route";
import { addAlertNote, assignAlert, closeAlert, getAlert, listAlerts } from "@/lib/audit/alerts";
import { auditCsvStream } from "@/lib/audit/export";
import { rowsOf } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { findAuditEvents, searchAuditEvents } from "@/lib/audit/search";
import { auditFilter } from "@/lib/audit/search-filter";
import { recentVerifications, runVerification } from "@/lib/audit/verify-runs";
import type { Ctx } from "@/lib/auth/context";
import { withTenant } from "@/lib/db/scope";
import { AppError } from "@/lib/errors";
import { nhsCheckDigit } from "@/lib/nhs-number";
import { accessEventBody, makeApiKey, postJson } from "../helpers/api";
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
    // From the events' first day: without a patient, user or From, a search reads only the last 30 days.
    const page = await searchAuditEvents(ctx, auditFilter.parse({ from: "2026-05-01", ...filter, action: "study.view", cursor }), 5);
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
    // The report's download: accesses only (the officers' look-ups of the patient name the patient too).
    const stream = await auditCsvStream(igB, auditFilter.parse({ patient, kind: "access" }));
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

describe("paging across monthly partitions", () => {
  // Three trusts whose events span four monthly partitions, with events on both sides of each month's
  // first instant and several at the very same instant: every caller pages through exactly what
  // they may see, once each, newest first (ties by id), whatever the page size.
  let d: TestTrust, e: TestTrust, f: TestTrust;
  let igD: Ctx, igE: Ctx, igF: Ctx, igDF: Ctx, igAllMonths: Ctx;
  const nhs = (nine: string) => `${nine}${nhsCheckDigit(nine)}`;
  const [p1, p2] = [nhs("999123401"), nhs("999123402")];
  const clinician = (t: TestTrust) => `clinician@${t.odsCode.toLowerCase()}.example`;
  const instants = [
    "2026-01-10T09:00:00Z", "2026-01-31T23:59:59.999Z", "2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-02-14T10:00:00Z",
    "2026-02-28T23:59:59.999Z", "2026-03-01T00:00:00Z", "2026-03-15T12:00:00Z", "2026-03-15T12:00:00Z", "2026-03-15T12:00:00Z",
    "2026-03-31T22:59:59.999Z", "2026-04-01T00:00:00Z", "2026-04-20T08:30:00Z",
  ];
  type Truth = { id: string; occurred_at: string | Date; source_trust_id: string; actor_trust_id: string; patient_nhs_number: string; actor_email: string };
  let truth: Truth[] = [];

  beforeAll(async () => {
    [d, e, f] = [await makeTrust(), await makeTrust(), await makeTrust()];
    igD = await makeUser([{ role: "ig_officer", trustId: d.id }]);
    igE = await makeUser([{ role: "ig_officer", trustId: e.id }]);
    igF = await makeUser([{ role: "ig_officer", trustId: f.id }]);
    // An officer of two trusts: a search by user reads each side of each trust, and merges them.
    igDF = await makeUser([{ role: "ig_officer", trustId: d.id }, { role: "ig_officer", trustId: f.id }]);
    igAllMonths = await makeUser([{ role: "ig_officer", trustId: null }], { homeTrustId: null });
    const key = await makeApiKey(["audit:write"]);
    // Each instant has every pairing of actor and source trust among D, E and F once, about p1 or p2.
    const pairs: [TestTrust, TestTrust][] = [[d, d], [d, e], [e, e], [e, d], [f, f], [f, d], [e, f]];
    const events = instants.flatMap((at, i) =>
      pairs.map(([actor, source], j) =>
        accessEventBody(
          { user: clinician(actor), actorTrust: actor.odsCode, sourceTrust: source.odsCode },
          {
            occurredAt: at,
            action: "study.retrieve",
            patient: { nhsNumber: (i + j) % 2 ? p1 : p2 },
            study: { studyInstanceUid: `1.2.826.0.1.${i}.${j}`, accessionNumber: `A${i}${j}`, sourceTrust: source.odsCode, modality: "CT" },
          },
        ),
      ),
    );
    const res = await POST(postJson("/api/v1/audit-events", key, { events }));
    expect(await res.json()).toEqual({ accepted: events.length, duplicates: 0 });
    truth = await ownerQuery<Truth>(
      sql`select id, occurred_at, source_trust_id, actor_trust_id, patient_nhs_number, actor_email from audit_events
        where action = 'study.retrieve' and source_trust_id in (${d.id}, ${e.id}, ${f.id})`,
    );
    expect(truth).toHaveLength(instants.length * pairs.length);
    const months = await ownerQuery<{ n: number }>(sql`select count(distinct tableoid)::int as n from audit_events where id in (select id from audit_events where action = 'study.retrieve' and source_trust_id = ${d.id})`);
    expect(months[0]?.n).toBe(4);
  });

  /** What a caller should see, in the search's order: newest first, ties by id. */
  const expected = (trustIds: string | string[] | null, keep: (t: Truth) => boolean) =>
    truth
      .filter((t) => keep(t) && (trustIds === null || [trustIds].flat().some((id) => t.source_trust_id === id || t.actor_trust_id === id)))
      .sort((a, b) => new Date(b.occurred_at).getTime() - new Date(a.occurred_at).getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((t) => t.id);

  const pageThrough = async (ctx: Ctx, filter: Record<string, string>, size: number) => {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 200; pages++) {
      const page = await withTenant(ctx, (tx) => findAuditEvents(tx, ctx, auditFilter.parse({ ...filter, cursor }), size));
      expect(page.rows.length).toBeLessThanOrEqual(size);
      ids.push(...page.rows.map((r) => r.id));
      if (!page.nextCursor) return ids;
      cursor = page.nextCursor;
    }
    throw new Error("paging did not end");
  };

  it("returns every event the caller may see exactly once, in order, for each scope, filter and page size", async () => {
    const callers: [Ctx, string | string[] | null][] = [[igAllMonths, null], [igD, d.id], [igE, e.id], [igF, f.id], [igDF, [d.id, f.id]]];
    const filters: [Record<string, string>, (t: Truth) => boolean][] = [
      [{ action: "study.retrieve", from: "2026-01-01" }, (t) => [d.id, e.id, f.id].includes(t.source_trust_id)],
      [{ patient: p1 }, (t) => t.patient_nhs_number === p1],
      [{ user: clinician(e) }, (t) => t.actor_email === clinician(e)],
      [{ user: clinician(f), trust: d.odsCode }, (t) => t.actor_email === clinician(f) && t.source_trust_id === d.id],
      [{ trust: d.odsCode, action: "study.retrieve", from: "2026-01-01" }, (t) => t.source_trust_id === d.id],
      [{ actorTrust: e.odsCode, from: "2026-02-01", to: "2026-03-31" }, (t) => t.actor_trust_id === e.id && new Date(t.occurred_at) >= new Date("2026-02-01") && new Date(t.occurred_at) < new Date("2026-04-01")],
    ];
    for (const [ctx, trustId] of callers) {
      for (const [filter, keep] of filters) {
        const want = expected(trustId, keep);
        for (const size of [1, 3, 7, 50]) {
          expect({ filter, size, ids: await pageThrough(ctx, filter, size) }).toEqual({ filter, size, ids: want });
        }
      }
    }
  });

  it("reads the last 30 days when a search names no patient, user or From date, and says so", async () => {
    const ids = async (ctx: Ctx, filter: Record<string, string>, now: Date) => {
      const page = await withTenant(ctx, (tx) => findAuditEvents(tx, ctx, auditFilter.parse(filter), 200, now));
      return { ids: page.rows.map((r) => r.id), window: page.window };
    };
    const since = (from: string, until?: string) => (t: Truth) =>
      new Date(t.occurred_at) >= new Date(from) && (!until || new Date(t.occurred_at) < new Date(until)) && [d.id, e.id, f.id].includes(t.source_trust_id);
    // On 25 April: the 30 days from 27 March.
    const april = new Date("2026-04-25T15:00:00Z");
    expect(await ids(igAllMonths, { action: "study.retrieve" }, april)).toEqual({
      ids: expected(null, since("2026-03-27T00:00:00Z")),
      window: { from: new Date("2026-03-27T00:00:00Z"), until: null, isDefault: true },
    });
    // Ending with To: the 30 days to 14 February.
    expect((await ids(igD, { action: "study.retrieve", to: "2026-02-14" }, april)).ids).toEqual(expected(d.id, since("2026-01-16T00:00:00Z", "2026-02-15T00:00:00Z")));
    // A From date, a patient or a user: as far back as asked, or the whole record.
    expect((await ids(igD, { action: "study.retrieve", from: "2026-01-01" }, april)).window.isDefault).toBe(false);
    expect((await ids(igE, { patient: p2 }, april)).ids).toEqual(expected(e.id, (t) => t.patient_nhs_number === p2));
    expect((await ids(igF, { user: clinician(f) }, april)).ids).toEqual(expected(f.id, (t) => t.actor_email === clinician(f)));
  });

  it("leaves the transaction's planner settings as it found them", async () => {
    const settings = sql`select current_setting('plan_cache_mode') as mode, current_setting('jit') as jit`;
    const before = await withTenant(igD, async (tx) => rowsOf(await tx.execute(settings)));
    const after = await withTenant(igD, async (tx) => {
      await findAuditEvents(tx, igD, auditFilter.parse({ patient: p1 }));
      await findAuditEvents(tx, igD, auditFilter.parse({ trust: "NONE1" }));
      return rowsOf(await tx.execute(settings));
    });
    expect(after).toEqual(before);
  });

  it("keeps the read policy's scope on its own: a query with no trust filter sees only the caller's trusts' events", async () => {
    // Row-level security alone (no scoping in the query), alternating callers on the same statement so
    // that a plan reused across calls cannot carry one caller's scope to the next.
    for (let round = 0; round < 8; round++) {
      for (const [ctx, trustId] of [[igD, d.id], [igF, f.id], [igAllMonths, null]] as const) {
        const seen = await withTenant(ctx, (tx) => tx.select({ id: auditEvents.id }).from(auditEvents).where(eq(auditEvents.patientNhsNumber, p2)).prepare("rls_probe").execute());
        expect(seen.map((r) => r.id).sort()).toEqual(expected(trustId, (t) => t.patient_nhs_number === p2).sort());
      }
    }
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
