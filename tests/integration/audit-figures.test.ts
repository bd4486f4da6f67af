// What the audit screens count and find: the alert queue in time order, a patient's access report
// counting accesses only, and an officer's look-up of a patient found by searching that patient.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/audit-events/route";
import { listAlerts } from "@/lib/audit/alerts";
import { auditCsvStream } from "@/lib/audit/export";
import { recordAuditEvent } from "@/lib/audit/record";
import { searchAuditEvents } from "@/lib/audit/search";
import { auditFilter } from "@/lib/audit/search-filter";
import type { Ctx } from "@/lib/auth/context";
import { withSystem } from "@/lib/db/scope";
import { makeApiKey, postJson } from "../helpers/api";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";

let a: TestTrust, b: TestTrust;
let igA: Ctx, igB: Ctx;
const patient = "9990000042";
let minute = 0;
const daytime = () => new Date(Date.UTC(2026, 4, 4, 9, 0, 0) + ++minute * 60_000).toISOString();

const view = (trust: TestTrust) => ({
  eventId: crypto.randomUUID(),
  occurredAt: daytime(),
  action: "study.view",
  outcome: "success",
  actor: { user: `clinician@${trust.odsCode.toLowerCase()}.example`, trust: trust.odsCode, role: "clinician" },
  patient: { nhsNumber: patient },
  study: { studyInstanceUid: `1.2.826.0.1.${Math.floor(Math.random() * 1e9)}`, sourceTrust: trust.odsCode, modality: "CT" },
  purpose: "direct_care",
  policy: null,
});

beforeAll(async () => {
  [a, b] = [await makeTrust(), await makeTrust()];
  igA = await makeUser([{ role: "ig_officer", trustId: a.id }]);
  igB = await makeUser([{ role: "ig_officer", trustId: b.id }]);
  const key = await makeApiKey(["audit:write"]);
  const res = await POST(postJson("/api/v1/audit-events", key, { events: [view(a), view(a), view(a)] }));
  expect(await res.json()).toEqual({ accepted: 3, duplicates: 0 });
  // Two access decisions about the same patient's images at A: checks before an access, not accesses.
  await withSystem(async (tx) => {
    for (let i = 0; i < 2; i++) {
      await recordAuditEvent(tx, {
        action: "access.decision",
        actor: { email: `clinician@${a.odsCode.toLowerCase()}.example`, trustId: a.id, role: "clinician" },
        sourceTrustId: a.id,
        access: { patientNhsNumber: patient, purpose: "direct_care" },
        details: { decision: "permit" },
        occurredAt: new Date(daytime()),
      });
    }
  });
});

describe("the alert queue", () => {
  it("lists alerts newest event first, whatever order they were raised in", async () => {
    // Raised by a scan in batches: the late-arriving event's alert is raised last but happened first.
    const alert = (eventAt: string, createdAt: string) =>
      ownerQuery(sql`insert into audit_alerts (trust_id, rule, severity, summary, event_occurred_at, actor_email, created_at)
        values (${a.id}, 'unusual_volume', 'medium', ${`event at ${eventAt}`}, ${eventAt}::timestamptz, ${`x${eventAt}@a.example`}, ${createdAt}::timestamptz)`);
    await alert("2026-05-02T10:00:00Z", "2026-05-03T01:00:00Z");
    await alert("2026-05-01T09:00:00Z", "2026-05-03T02:00:00Z");
    await alert("2026-05-02T15:00:00Z", "2026-05-02T16:00:00Z");
    await alert("2026-04-30T08:00:00Z", "2026-05-03T03:00:00Z");
    const { rows } = await listAlerts(igA, {});
    expect(rows.map((r) => r.eventOccurredAt.toISOString())).toEqual([
      "2026-05-02T15:00:00.000Z",
      "2026-05-02T10:00:00.000Z",
      "2026-05-01T09:00:00.000Z",
      "2026-04-30T08:00:00.000Z",
    ]);
  });
});

describe("a patient's access report", () => {
  it("counts the accesses to the patient's imaging, not the access decisions", async () => {
    const all = await searchAuditEvents(igA, auditFilter.parse({ patient }));
    expect(all.rows.filter((r) => r.action === "access.decision")).toHaveLength(2);
    const report = await searchAuditEvents(igA, auditFilter.parse({ patient, kind: "access" }));
    expect(report.rows.map((r) => r.action)).toEqual(["study.view", "study.view", "study.view"]);
    const csv = await new Response(await auditCsvStream(igA, auditFilter.parse({ patient, kind: "access" }))).text();
    expect(csv.trim().split("\r\n")).toHaveLength(1 + 3);
  });

  it("is found, as the officer's look-up, by a search of that patient", async () => {
    await searchAuditEvents(igA, auditFilter.parse({ patient, kind: "access" }));
    const found = await searchAuditEvents(igA, auditFilter.parse({ patient, action: "audit.patient_report" }));
    expect(found.rows.length).toBeGreaterThanOrEqual(1);
    expect(found.rows.every((r) => r.actorEmail === igA.email && r.patientNhsNumber === patient)).toBe(true);
    // The export of the report names the patient too.
    const exports = await searchAuditEvents(igA, auditFilter.parse({ patient, action: "audit.export" }));
    expect(exports.rows.map((r) => r.actorEmail)).toEqual([igA.email]);
    // Another trust's officer searching the same patient does not see A's officer's look-ups.
    const other = await searchAuditEvents(igB, auditFilter.parse({ patient }));
    expect(other.rows.filter((r) => r.actorEmail === igA.email)).toEqual([]);
  });
});
