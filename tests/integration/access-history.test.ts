import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { generateAccessHistory, type AccessHistoryResult } from "@/demo/access-history";
import { seedDemo } from "@/demo/seed-demo";
import { verifyChain } from "@/lib/audit/verify";
import { isValidNhsNumber } from "@/lib/nhs-number";
import { testDatabase } from "../helpers/database";
import { ownerQuery } from "../helpers/factories";

// Five weeks at a two-hundredth of the consortium's volume: small, but every pattern is in it
// (the unusual-volume day needs 28 days of history before it).
const from = new Date("2026-03-02T00:00:00Z");
const to = new Date("2026-04-05T23:00:00Z"); // midnight in England (BST)
let result: AccessHistoryResult;
let trusts: { id: string; ods_code: string }[];

beforeAll(async () => {
  const seeded = await seedDemo(testDatabase());
  expect(seeded.outcome).toBe("seeded");
  const progress: number[] = [];
  result = await generateAccessHistory(testDatabase(), { from, to, scale: 0.005, batchSize: 2_000, onProgress: (p) => progress.push(p.daysDone) });
  expect(progress.at(-1)).toBe(result.days);
  trusts = await ownerQuery<{ id: string; ods_code: string }>(sql`select id, ods_code from trusts order by ods_code`);
}, 300_000);

describe("the demo access history", () => {
  it("chains every trust's events as ingest does, so verify passes", async () => {
    expect(result.days).toBe(35);
    expect(result.events).toBeGreaterThan(3_000);
    let chained = 0;
    for (const t of trusts) {
      const report = await verifyChain(testDatabase().db, t.id);
      expect(report, t.ods_code).toMatchObject({ ok: true, firstBreak: null });
      chained += report.events;
    }
    expect(chained).toBe(result.events);
    const [stored] = await ownerQuery<{ n: number }>(sql`select count(*)::int as n from audit_events where target_type = 'study'`);
    expect(stored?.n).toBe(result.events);
  });

  it("keeps to the window, in time order along each chain, with patients from the 999 test range", async () => {
    const [bounds] = await ownerQuery<{ lo: Date | string; hi: Date | string; disorder: number }>(sql`
      select min(occurred_at) as lo, max(occurred_at) as hi,
        (select count(*)::int from (select occurred_at < lag(occurred_at) over (partition by chain order by seq) as back from audit_events where target_type = 'study') x where back) as disorder
      from audit_events where target_type = 'study'`);
    expect(new Date(bounds!.lo).getTime()).toBeGreaterThanOrEqual(from.getTime());
    expect(new Date(bounds!.hi).getTime()).toBeLessThan(to.getTime());
    expect(bounds!.disorder).toBe(0);
    const patients = await ownerQuery<{ nhs: string }>(sql`select distinct patient_nhs_number as nhs from audit_events where target_type = 'study'`);
    expect(patients.length).toBeGreaterThan(100);
    for (const p of patients) {
      expect(p.nhs.startsWith("999")).toBe(true);
      expect(isValidNhsNumber(p.nhs), p.nhs).toBe(true);
    }
  });

  it("has cross-trust views under a policy, MDT views, denied attempts and break-glass", async () => {
    const [mix] = await ownerQuery<{ cross: number; unlicensed: number; mdt: number; glass: number; emergency_night: number }>(sql`
      select
        count(*) filter (where actor_trust_id <> source_trust_id and policy_id is not null and outcome = 'success')::int as cross,
        count(*) filter (where actor_trust_id <> source_trust_id and policy_id is null and break_glass_justification is null and outcome = 'success')::int as unlicensed,
        count(*) filter (where purpose = 'mdt')::int as mdt,
        count(*) filter (where break_glass_justification is not null)::int as glass,
        count(*) filter (where purpose = 'emergency' and break_glass_justification is null)::int as emergency_night
      from audit_events where target_type = 'study'`);
    expect(mix!.cross).toBeGreaterThan(50);
    expect(mix!.mdt).toBeGreaterThan(10);
    expect(mix!.glass).toBeGreaterThan(0);
    expect(mix!.emergency_night).toBeGreaterThan(0);
    // Only the planted cross-trust views go without a policy.
    expect(mix!.unlicensed).toBeGreaterThan(0);
    expect(mix!.unlicensed).toBeLessThan(30);
    expect(result.crossTrust).toBeGreaterThan(50);
    expect(result.breakGlass).toBeGreaterThan(0);
  });

  it("raises the alerts ingest would raise, and the planted patterns are found", async () => {
    const rows = await ownerQuery<{ rule: string; n: number; day_level: number }>(
      sql`select rule, count(*)::int as n, count(*) filter (where event_id is null)::int as day_level from audit_alerts group by rule order by rule`,
    );
    const byRule = Object.fromEntries(rows.map((r) => [r.rule, r.n]));
    for (const rule of ["break_glass", "no_legitimate_basis", "inactive_user", "out_of_hours", "unusual_volume"]) expect(byRule[rule], rule).toBeGreaterThan(0);
    expect(byRule).toEqual(result.alerts);
    // The volume scan finds the planted day, not ordinary ones.
    expect(byRule.unusual_volume).toBe(1);
    expect(rows.find((r) => r.rule === "unusual_volume")?.day_level).toBe(1);
    // Every event-level alert points at a stored event of the trust that owns it.
    const [orphans] = await ownerQuery<{ n: number }>(sql`select count(*)::int as n from audit_alerts a where a.event_id is not null
      and not exists (select 1 from audit_events e where e.id = a.event_id and e.source_trust_id = a.trust_id)`);
    expect(orphans?.n).toBe(0);
    // The leaver's account is one the users table knows as having left.
    const leavers = await ownerQuery<{ status: string }>(sql`select distinct u.status from audit_alerts a join users u on u.email = a.actor_email where a.rule = 'inactive_user'`);
    expect(leavers.map((l) => l.status)).toEqual(["left"]);
  });

  it("refuses to generate the same window twice", async () => {
    await expect(generateAccessHistory(testDatabase(), { from, to, scale: 0.005 })).rejects.toThrow(/already holds access events/);
  });
});
