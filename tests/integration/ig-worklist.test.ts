// An IG officer's home page is a work list: open alerts assigned to them and not yet taken, policy
// versions awaiting their approval (not their own), the patient reports they looked up. Each part
// holds only the officer's trusts' items.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditAlerts } from "@/db/schema";
import { assignAlert, closeAlert } from "@/lib/audit/alerts";
import { searchAuditEvents } from "@/lib/audit/search";
import { auditFilter } from "@/lib/audit/search-filter";
import type { Ctx } from "@/lib/auth/context";
import { getIgWorklist } from "@/lib/home/worklist";
import { createPolicy, submitForApproval } from "@/lib/sharing/commands";
import { testDatabase } from "../helpers/database";
import { makeTrust, makeUser, type TestTrust } from "../helpers/factories";

let a: TestTrust, b: TestTrust;
let igA: Ctx, igA2: Ctx, igB: Ctx, igAll: Ctx, pacsA: Ctx, cioA: Ctx;

let minute = 0;
async function makeAlert(trust: TestTrust): Promise<string> {
  const { db } = testDatabase();
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
    const [row] = await tx
      .insert(auditAlerts)
      .values({ trustId: trust.id, rule: "out_of_hours", severity: "low", summary: "Access at night", eventOccurredAt: new Date(Date.UTC(2026, 4, 2, 9, ++minute)) })
      .returning({ id: auditAlerts.id });
    if (!row) throw new Error("no alert");
    return row.id;
  });
}

const ids = (list: { rows: { id: string }[] }) => list.rows.map((r) => r.id);
const [patientA, patientB] = ["9990000018", "9990000034"];

beforeAll(async () => {
  [a, b] = [await makeTrust(), await makeTrust()];
  igA = await makeUser([{ role: "ig_officer", trustId: a.id }]);
  igA2 = await makeUser([{ role: "ig_officer", trustId: a.id }]);
  igB = await makeUser([{ role: "ig_officer", trustId: b.id }]);
  igAll = await makeUser([{ role: "ig_officer", trustId: null }], { homeTrustId: null });
  pacsA = await makeUser([{ role: "pacs_manager", trustId: a.id }]);
  cioA = await makeUser([{ role: "cio", trustId: a.id }]);
});

describe("the IG officer's work list", () => {
  it("lists the officer's open alerts, assigned to them and not yet taken, of their trusts only", async () => {
    const [mine, free, others, closed, theirs] = [await makeAlert(a), await makeAlert(a), await makeAlert(a), await makeAlert(a), await makeAlert(b)];
    expect((await assignAlert(igA, mine, { assignee: igA.userId })).ok).toBe(true);
    expect((await assignAlert(igA, others, { assignee: igA2.userId })).ok).toBe(true);
    expect((await assignAlert(igA, closed, { assignee: igA.userId })).ok).toBe(true);
    expect((await closeAlert(igA, closed, { resolution: "legitimate", body: "Night shift on call, as rostered." })).ok).toBe(true);

    const listA = await getIgWorklist(igA);
    expect(listA?.alerts.mine).toMatchObject({ count: 1 });
    expect(ids(listA!.alerts.mine)).toEqual([mine]);
    expect(listA?.alerts.unassigned.count).toBe(1);
    expect(ids(listA!.alerts.unassigned)).toEqual([free]);
    expect(listA!.alerts.unassigned.rows[0]).toMatchObject({ trust: a.odsCode, rule: "out_of_hours" });

    const listB = await getIgWorklist(igB);
    expect(listB?.alerts.mine.count).toBe(0);
    expect(ids(listB!.alerts.unassigned)).toEqual([theirs]);

    // The consortium's officers see every trust's untaken alerts, newest first.
    expect(ids((await getIgWorklist(igAll))!.alerts.unassigned)).toEqual([theirs, free]);
  });

  it("counts every open alert but lists only the newest few", async () => {
    const c = await makeTrust();
    const igC = await makeUser([{ role: "ig_officer", trustId: c.id }]);
    const made = [];
    for (let i = 0; i < 7; i++) made.push(await makeAlert(c));
    const list = await getIgWorklist(igC);
    expect(list?.alerts.unassigned.count).toBe(7);
    expect(ids(list!.alerts.unassigned)).toEqual(made.reverse().slice(0, 5));
  });

  it("lists policy versions awaiting the officer's approval, not the ones they wrote, nor other trusts'", async () => {
    const created = await createPolicy(igA2, {
      policy: { sourceTrust: a.odsCode, name: "MDT imaging to B", description: "For MDTs" },
      draft: {
        effectiveFrom: "2026-04-01",
        effectiveUntil: "",
        changeNote: "First version",
        rules: [{ id: "00000000-0000-4000-8000-000000000001", effect: "permit", targetTrusts: [b.odsCode], requesterRoles: ["radiologist"], modalities: ["CT"], purposes: ["mdt"], maxStudyAgeYears: "5" }],
      },
    });
    if (!created.ok) throw new Error(JSON.stringify(created.error));
    expect((await submitForApproval(igA2, created.data.versionId)).ok).toBe(true);
    expect((await getIgWorklist(igA))?.approvals.map((v) => [v.id, v.policyName, v.sourceOds])).toEqual([[created.data.versionId, "MDT imaging to B", a.odsCode]]);
    // Two-person rule: its author is not asked to approve it; another trust's officer never sees it.
    expect((await getIgWorklist(igA2))?.approvals).toEqual([]);
    expect((await getIgWorklist(igB))?.approvals).toEqual([]);
  });

  it("lists the patients whose access reports the officer looked up, newest first, once each", async () => {
    await searchAuditEvents(igA, auditFilter.parse({ patient: patientA }));
    await searchAuditEvents(igA, auditFilter.parse({ patient: patientB }));
    await searchAuditEvents(igA, auditFilter.parse({ patient: patientA }));
    await searchAuditEvents(igB, auditFilter.parse({ patient: patientB }));
    expect((await getIgWorklist(igA))?.reports.map((r) => r.patientNhsNumber)).toEqual([patientA, patientB]);
    expect((await getIgWorklist(igB))?.reports.map((r) => r.patientNhsNumber)).toEqual([patientB]);
    expect((await getIgWorklist(igA2))?.reports).toEqual([]);
  });

  it("is not made for people who do not work alerts: their home stays as it was", async () => {
    expect(await getIgWorklist(pacsA)).toBeNull();
    expect(await getIgWorklist(cioA)).toBeNull();
  });
});
