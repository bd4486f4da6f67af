import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/audit-events/route";
import { auditAlerts, auditEvents } from "@/db/schema";
import { verifyChain } from "@/lib/audit/verify";
import { testDatabase } from "../helpers/database";
import { accessEventBody, makeApiKey, postJson } from "../helpers/api";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";

let rnz: TestTrust;
let rhu: TestTrust;
let key: string;
let radiologist: string;

beforeAll(async () => {
  rnz = await makeTrust();
  rhu = await makeTrust();
  key = await makeApiKey(["audit:write"]);
  radiologist = (await makeUser([{ role: "radiologist", trustId: rhu.id }])).email;
});

function accessEvent(overrides: Record<string, unknown> = {}) {
  return accessEventBody({ user: radiologist, actorTrust: rhu.odsCode, sourceTrust: rnz.odsCode }, overrides);
}

const send = (events: unknown[], apiKey: string | null = key) => POST(postJson("/api/v1/audit-events", apiKey, { events }));
const stored = async () => (await ownerQuery<{ n: number }>(sql`select count(*)::int as n from audit_events where action like 'study.%'`))[0]?.n ?? 0;

describe("POST /api/v1/audit-events", () => {
  it("stores a batch on the source trust's chain, and a retry stores nothing twice", async () => {
    const events = [accessEvent(), accessEvent({ action: "study.download" }), accessEvent({ patient: { nhsNumber: "999 000 0026" } })];
    const first = await send(events);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ accepted: 3, duplicates: 0 });
    const again = await send(events);
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 3 });
    // A batch that mixes old and new ids stores only the new, even with the same id twice in it.
    const extra = accessEvent();
    expect(await (await send([events[0], extra, extra])).json()).toEqual({ accepted: 1, duplicates: 2 });

    const rows = await testDatabase().db.select().from(auditEvents).where(eq(auditEvents.chain, rnz.id)).orderBy(auditEvents.seq);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(rows[2]).toMatchObject({ patientNhsNumber: "9990000026", actorTrustId: rhu.id, sourceTrustId: rnz.id, modality: "MR", ip: "10.20.30.40" });
    expect(rows[0]?.occurredAt.toISOString()).toBe("2026-05-01T09:30:00.000Z");
    expect(await verifyChain(testDatabase().db, rnz.id)).toMatchObject({ ok: true, events: 4 });
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ["eventId", { eventId: "123" }, "eventId"],
    ["occurredAt without offset", { occurredAt: "2026-05-01T10:30:00" }, "occurredAt"],
    ["occurredAt in the future", { occurredAt: "2999-01-01T00:00:00Z" }, "occurredAt"],
    ["action", { action: "study.steal" }, "action"],
    ["outcome", { outcome: "maybe" }, "outcome"],
    ["actor email", { actor: { user: "not-an-email", trust: "RHU", role: "radiologist" } }, "actor.user"],
    ["actor role", { actor: { user: "a@b.example", trust: "RHU", role: "janitor" } }, "actor.role"],
    ["actor trust", { actor: { user: "a@b.example", trust: "rhu!", role: "radiologist" } }, "actor.trust"],
    ["NHS number check digit", { patient: { nhsNumber: "9990000019" } }, "patient.nhsNumber"],
    ["NHS number length", { patient: { nhsNumber: "999000001" } }, "patient.nhsNumber"],
    ["study UID", { study: { studyInstanceUid: "1.2.03.4", sourceTrust: "RNZ", modality: "MR" } }, "study.studyInstanceUid"],
    ["accession length", { study: { studyInstanceUid: "1.2.3", accessionNumber: "X".repeat(17), sourceTrust: "RNZ", modality: "MR" } }, "study.accessionNumber"],
    ["modality", { study: { studyInstanceUid: "1.2.3", sourceTrust: "RNZ", modality: "XR" } }, "study.modality"],
    ["purpose", { purpose: "curiosity" }, "purpose"],
    ["policy version", { policy: { id: "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b", version: 0 } }, "policy.version"],
    ["short break-glass reason", { breakGlassJustification: "urgent" }, "breakGlassJustification"],
    ["ip", { source: { ip: "999.1.1.1", workstation: null } }, "source.ip"],
    ["NUL in a workstation name", { source: { ip: null, workstation: "QAH\u0000RAD" } }, "source.workstation"],
  ];

  it.each(bad)("refuses a bad %s with 422 naming the item and field, storing nothing of the batch", async (_what, override, field) => {
    const before = await stored();
    const res = await send([accessEvent(), accessEvent(), accessEvent(override)]);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; message: string; details: { issues: { item: number; field: string }[] } } };
    expect(body.error.code).toBe("VALIDATION");
    expect(body.error.details.issues).toContainEqual(expect.objectContaining({ item: 2, field }));
    expect(body.error.message).toContain(`item 2, field ${field}`);
    expect(await stored()).toBe(before);
  });

  it("refuses an unknown trust, an empty batch, too big a batch and a body that is not JSON", async () => {
    const before = await stored();
    const unknown = await send([accessEvent(), accessEvent({ study: { studyInstanceUid: "1.2.3", sourceTrust: "ZZZ99", modality: "CT" } })]);
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toMatchObject({ error: { details: { issues: [{ item: 1, field: "study.sourceTrust" }] } } });
    expect((await send([])).status).toBe(422);
    expect((await send(Array.from({ length: 5001 }, () => ({})))).status).toBe(422);
    const notJson = await POST(postJson("/api/v1/audit-events", key, "{not json"));
    expect(notJson.status).toBe(422);
    expect(await stored()).toBe(before);
  });

  it("needs a key with the audit:write scope, and a trust's key sends only its own trust's events", async () => {
    expect((await send([accessEvent()], null)).status).toBe(401);
    expect((await send([accessEvent()], await makeApiKey(["exams:write"]))).status).toBe(403);
    const rnzKey = await makeApiKey(["audit:write"], rnz.odsCode);
    const before = await stored();
    const res = await send([accessEvent(), accessEvent({ study: { studyInstanceUid: "1.2.3", sourceTrust: rhu.odsCode, modality: "CT" } })], rnzKey);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "FORBIDDEN", details: { issues: [{ item: 1, field: "study.sourceTrust" }] } } });
    expect(await stored()).toBe(before);
    expect((await send([accessEvent()], rnzKey)).status).toBe(200);
  });
});

describe("alert rules on ingest", () => {
  async function alertsOf(event: Record<string, unknown>) {
    await send([event]);
    return (await testDatabase().db.select({ rule: auditAlerts.rule, trustId: auditAlerts.trustId }).from(auditAlerts).where(eq(auditAlerts.eventId, event.eventId as string))).map((a) => a.rule).sort();
  }

  it("raise nothing for a normal cross-trust view under a policy in the day", async () => {
    expect(await alertsOf(accessEvent())).toEqual([]);
  });

  it("raise nothing for a normal same-trust view", async () => {
    expect(await alertsOf(accessEvent({ actor: { user: radiologist, trust: rnz.odsCode, role: "radiologist" }, policy: null }))).toEqual([]);
  });

  it("flag break-glass", async () => {
    expect(await alertsOf(accessEvent({ policy: null, purpose: "emergency", breakGlassJustification: "Trauma call, patient unconscious in ED" }))).toEqual(["break_glass"]);
  });

  it("flag cross-trust access with no policy and no break-glass", async () => {
    expect(await alertsOf(accessEvent({ policy: null }))).toEqual(["no_legitimate_basis"]);
  });

  it("flag access by a departed or suspended user, even when refused", async () => {
    for (const status of ["left", "suspended"] as const) {
      const gone = (await makeUser([{ role: "radiologist", trustId: rhu.id }], { status })).email;
      expect(await alertsOf(accessEvent({ actor: { user: gone, trust: rhu.odsCode, role: "radiologist" } }))).toEqual(["inactive_user"]);
      expect(await alertsOf(accessEvent({ outcome: "denied", actor: { user: gone, trust: rhu.odsCode, role: "radiologist" } }))).toEqual(["inactive_user"]);
    }
  });

  it("flag night-time browsing but not night-time emergencies", async () => {
    expect(await alertsOf(accessEvent({ occurredAt: "2026-05-02T02:15:00+01:00" }))).toEqual(["out_of_hours"]);
    expect(await alertsOf(accessEvent({ occurredAt: "2026-05-02T02:15:00+01:00", purpose: "emergency" }))).toEqual([]);
  });

  it("belong to the trust whose images were accessed", async () => {
    const event = accessEvent({ policy: null });
    await send([event]);
    const [alert] = await testDatabase().db.select().from(auditAlerts).where(eq(auditAlerts.eventId, event.eventId));
    expect(alert).toMatchObject({ trustId: rnz.id, status: "open", severity: "high", actorEmail: radiologist, patientNhsNumber: "9990000018" });
  });
});

describe("the restricted-patient rule", () => {
  it("flags another trust's access to a restricted patient, and not the owning trust's own", async () => {
    const ig = await makeUser([{ role: "ig_officer", trustId: rnz.id }]);
    await ownerQuery(sql`insert into patient_restrictions (trust_id, nhs_number, reason, created_by) values (${rnz.id}, '9990000034', 'safeguarding', ${ig.userId})`);
    const restricted = { patient: { nhsNumber: "9990000034" } };
    const cross = accessEvent({ ...restricted, policy: null, purpose: "emergency", breakGlassJustification: "Unconscious patient, trauma call in ED" });
    await send([cross]);
    const rules = (await testDatabase().db.select({ rule: auditAlerts.rule }).from(auditAlerts).where(eq(auditAlerts.eventId, cross.eventId))).map((a) => a.rule).sort();
    expect(rules).toEqual(["break_glass", "restricted_patient"]);
    const own = accessEvent({ ...restricted, actor: { user: radiologist, trust: rnz.odsCode, role: "radiologist" }, policy: null });
    await send([own]);
    expect(await testDatabase().db.select().from(auditAlerts).where(eq(auditAlerts.eventId, own.eventId))).toEqual([]);
  });
});
