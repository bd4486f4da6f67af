import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/audit-events/route";
import { auditAlerts } from "@/db/schema";
import { scanUnusualVolume } from "@/lib/audit/volume-scan";
import { scanYesterday } from "@/lib/jobs/tasks";
import { testDatabase } from "../helpers/database";
import { makeApiKey, postJson } from "../helpers/api";
import { makeTrust, type TestTrust } from "../helpers/factories";

let trust: TestTrust;
let other: TestTrust;
let key: string;

// NHS numbers of the test range that pass modulus 11, one per patient index.
function nhsNumber(i: number): string {
  for (let base = 999_100_000 + i * 2; ; base++) {
    const digits = String(base);
    let sum = 0;
    for (let k = 0; k < 9; k++) sum += Number(digits[k]) * (10 - k);
    const check = (11 - (sum % 11)) % 11;
    if (check !== 10) return `${digits}${check}`;
  }
}

/** Events of one person opening `patients` distinct patients' studies at `source` on a day (10:00 to 16:00 in England, BST). */
function day(user: string, source: TestTrust, date: string, patients: number, firstPatient = 0) {
  return Array.from({ length: patients }, (_, i) => ({
    eventId: crypto.randomUUID(),
    occurredAt: `${date}T${String(10 + (i % 6)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:00+01:00`,
    action: "study.view",
    outcome: "success",
    actor: { user, trust: source.odsCode, role: "clinician" },
    patient: { nhsNumber: nhsNumber(firstPatient + i) },
    study: { studyInstanceUid: `1.2.826.0.1.3680043.8.498.77.${firstPatient + i}`, sourceTrust: source.odsCode, modality: "CT" },
    purpose: "direct_care",
  }));
}

async function send(events: unknown[]) {
  const res = await POST(postJson("/api/v1/audit-events", key, { events }));
  expect(res.status).toBe(200);
}

const history = ["2026-05-04", "2026-05-05", "2026-05-06", "2026-05-07", "2026-05-08", "2026-05-11", "2026-05-12"];
const scanned = "2026-05-13";

beforeAll(async () => {
  trust = await makeTrust();
  other = await makeTrust();
  key = await makeApiKey(["audit:write"]);
  const events = [];
  for (const [k, d] of history.entries()) {
    events.push(...day("curious@test.example", trust, d, 10, k * 10));
    events.push(...day("busy@test.example", trust, d, 10, 500 + k * 10));
    events.push(...day("heavy@test.example", trust, d, 40, 1000 + k * 40));
  }
  // The day scanned: 45 patients against a usual of 10 (alert); 28 against 10 (busy, no alert);
  // 15 with no history (under the floor); 100 against a usual of 40 (no alert: 3 × 40 = 120);
  // and 45 at another trust where the curious one has no history (alert: above the floor of 20).
  events.push(...day("curious@test.example", trust, scanned, 45, 2000));
  events.push(...day("busy@test.example", trust, scanned, 28, 3000));
  events.push(...day("newcomer@test.example", trust, scanned, 15, 4000));
  events.push(...day("heavy@test.example", trust, scanned, 100, 5000));
  events.push(...day("curious@test.example", other, scanned, 45, 6000));
  for (let i = 0; i < events.length; i += 1000) await send(events.slice(i, i + 1000));
});

const ownerScan = (first: string, last: string) =>
  testDatabase().db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
    return scanUnusualVolume(tx, first, last);
  });

describe("the unusual-volume scan", () => {
  it("raises a day-level alert for a person far above their own usual, and for no one else", async () => {
    const result = await ownerScan(scanned, scanned);
    expect(result.unusual.map((u) => [u.actorEmail, u.sourceTrustId, u.patients, u.baseline]).sort()).toEqual(
      [
        ["curious@test.example", other.id, 45, 0],
        ["curious@test.example", trust.id, 45, 10],
      ].sort(),
    );
    expect(result.raised).toBe(2);
    const alerts = await testDatabase().db.select().from(auditAlerts).where(eq(auditAlerts.rule, "unusual_volume"));
    const mine = alerts.find((a) => a.trustId === trust.id);
    expect(mine).toMatchObject({ actorEmail: "curious@test.example", eventId: null, severity: "medium", status: "open" });
    // The day's start in England (BST): 13 May 2026 00:00 is 12 May 23:00 UTC.
    expect(mine?.eventOccurredAt.toISOString()).toBe("2026-05-12T23:00:00.000Z");
    expect(mine?.summary).toContain("45 patients");
    expect(mine?.summary).toContain("usual is 10 a day");
  });

  it("raises nothing twice when the same days are scanned again", async () => {
    const again = await ownerScan(history[1]!, scanned);
    expect(again.unusual).toHaveLength(2);
    expect(again.raised).toBe(0);
    const alerts = await testDatabase().db.select().from(auditAlerts).where(eq(auditAlerts.rule, "unusual_volume"));
    expect(alerts).toHaveLength(2);
  });

  it("finds nothing on ordinary days", async () => {
    const quiet = await ownerScan(history[1]!, history.at(-1)!);
    expect(quiet.unusual).toEqual([]);
    expect(quiet.days).toBe(8);
  });

  it("runs nightly over yesterday in England, as the application role", async () => {
    // 00:30 on 14 May in England is still 13 May in UTC: yesterday is the 13th all the same.
    const nightly = await scanYesterday(new Date("2026-05-13T23:30:00Z"));
    expect(nightly).toMatchObject({ days: 1, raised: 0 });
    expect(nightly.unusual.map((u) => u.day)).toEqual([scanned, scanned]);
  });
});
