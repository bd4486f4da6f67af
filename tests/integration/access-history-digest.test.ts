// The demo access history is a function of its seed, window and scale: the same arguments give the
// same events, byte for byte (ids, times, people, workstations, outcomes) and the same alerts. The
// digest below was taken from the generator before it was split into modules (calendar, plan,
// writer); a change to what it generates must change the digest on purpose.
//
// The consortium here is the four demo trusts and nothing else, so that the history depends on no
// clock: the demo seed's staff and rotations are drawn around today, whereas the synthetic staff,
// the leaver and the absent policies the generator falls back on are fixed by the seed and window.
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { generateAccessHistory, type AccessHistoryResult } from "@/demo/access-history";
import { testDatabase } from "../helpers/database";
import { ownerQuery } from "../helpers/factories";

const from = new Date("2025-03-24T00:00:00Z");
// A fortnight across the clock change (30 March 2025), ending at midnight in England (BST).
const to = new Date("2025-04-06T23:00:00Z");
let result: AccessHistoryResult;

beforeAll(async () => {
  await ownerQuery(sql`insert into consortium (name, contracted_annual_exams) select 'Digest consortium', 1750000 where not exists (select 1 from consortium)`);
  await ownerQuery(sql`update consortium set is_demo = true`);
  for (const [ods, name] of [
    ["RHM", "University Hospital Southampton NHS Foundation Trust"],
    ["RHU", "Portsmouth Hospitals University NHS Trust"],
    ["RNZ", "Salisbury NHS Foundation Trust"],
    ["R1F", "Isle of Wight NHS Trust"],
  ] as const) {
    await ownerQuery(sql`insert into trusts (ods_code, name, status) values (${ods}, ${name}, 'active')`);
  }
  result = await generateAccessHistory(testDatabase(), { from, to, scale: 0.002, seed: 7, batchSize: 500 });
}, 300_000);

type EventRow = Record<string, string | number | null>;

describe("the demo access history for a fixed seed", () => {
  it("is unchanged: the same events and alerts as before the split", async () => {
    const rows = await ownerQuery<EventRow>(sql`
      select e.id::text as id, c.ods_code as chain, to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') as occurred_at,
        to_char(e.recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') as recorded_at, e.action, e.outcome, e.actor_email,
        a.ods_code as actor_trust, e.actor_role, s.ods_code as source_trust, e.patient_nhs_number, e.study_instance_uid, e.accession_number,
        e.modality, e.purpose, e.policy_version, e.break_glass_justification, e.ip::text as ip, e.workstation, e.target_type, e.target_id
      from audit_events e
      join trusts c on c.id::text = e.chain
      left join trusts a on a.id = e.actor_trust_id
      left join trusts s on s.id = e.source_trust_id
      where e.target_type = 'study'
      order by e.id`);
    const alerts = await ownerQuery<EventRow>(sql`select rule, count(*)::int as n from audit_alerts group by rule order by rule`);
    const digest = createHash("sha256");
    for (const row of rows) digest.update(`${JSON.stringify(row)}\n`);
    digest.update(JSON.stringify(alerts));

    expect({ ...result, stored: rows.length }).toEqual({
      days: 14,
      events: 1631,
      exams: 140,
      crossTrust: 17,
      breakGlass: 15,
      alerts: { break_glass: 15, inactive_user: 12, no_legitimate_basis: 2, out_of_hours: 14 },
      stored: 1631,
    });
    expect(digest.digest("hex")).toBe("e717543d8d73cdc6582072567feb812e2bc617796f0460e66ffa657f10eba8d5");
  });
});
