// The bulk append path of the audit trail (lib/audit/append.ts): COPY into monthly partitions.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/audit-events/route";
import { copyConnectionOf, copyInto, copyValue } from "@/db/copy";
import { rowsOf } from "@/db/client";
import { appendAndMoveHeads, appendAuditEvents, committedPartitionsFor, lockChainHeads, saveChainHeads, type ChainedRow } from "@/lib/audit/append";
import { verifyChain } from "@/lib/audit/verify";
import { withSystem } from "@/lib/db/scope";
import { testDatabase } from "../helpers/database";
import { accessEventBody, makeApiKey, postJson } from "../helpers/api";
import { dbErrorOf, makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";

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

const event = (overrides: Record<string, unknown> = {}) => accessEventBody({ user: radiologist, actorTrust: rhu.odsCode, sourceTrust: rnz.odsCode }, overrides);
const send = async (events: unknown[]) => {
  const res = await POST(postJson("/api/v1/audit-events", key, { events }));
  expect(res.status).toBe(200);
  return (await res.json()) as { accepted: number; duplicates: number };
};
const crossTrustViews = async (day: string) =>
  (
    await ownerQuery<{ n: number }>(
      sql`select coalesce(sum(view_count), 0)::int as n from capacity_cross_trust_daily where source_trust_id = ${rnz.id} and actor_trust_id = ${rhu.id} and day = ${day}::date`,
    )
  )[0]?.n ?? 0;

describe("appending a batch", () => {
  it("puts each event in its month's partition, chained in time order, and the chain verifies", async () => {
    // Out of time order and across a month's end (in UTC).
    const times = ["2026-02-01T00:00:01Z", "2026-01-31T23:59:59Z", "2026-02-03T10:00:00+01:00", "2026-01-15T12:00:00Z"];
    const events = times.map((occurredAt) => event({ occurredAt }));
    expect(await send(events)).toEqual({ accepted: 4, duplicates: 0 });
    const rows = await ownerQuery<{ id: string; seq: number; partition: string; occurred_at: string }>(
      sql`select id, seq::int as seq, tableoid::regclass::text as partition, occurred_at::text from audit_events where chain = ${rnz.id} and occurred_at < '2026-03-01' order by seq`,
    );
    expect(rows.map((r) => r.id)).toEqual([3, 1, 0, 2].map((i) => events[i]?.eventId));
    expect(rows.map((r) => r.partition)).toEqual(["audit_events_2026_01", "audit_events_2026_01", "audit_events_2026_02", "audit_events_2026_02"]);
    expect(await verifyChain(testDatabase().db, rnz.id)).toMatchObject({ ok: true });
  });

  it("counts each cross-trust view once in the viewing rollup", async () => {
    const before = await crossTrustViews("2026-04-07");
    const views = Array.from({ length: 5 }, () => event({ occurredAt: "2026-04-07T11:00:00+01:00" }));
    const queries = Array.from({ length: 2 }, () => event({ occurredAt: "2026-04-07T11:00:00+01:00", action: "study.query" }));
    await send([...views, ...queries]);
    expect(await crossTrustViews("2026-04-07")).toBe(before + 5);
  });

  it("takes an event id in capitals as the same id when a batch is retried", async () => {
    const e = event({ eventId: crypto.randomUUID().toUpperCase() });
    expect(await send([e])).toEqual({ accepted: 1, duplicates: 0 });
    expect(await send([{ ...e, eventId: e.eventId.toLowerCase() }])).toEqual({ accepted: 0, duplicates: 1 });
    expect(await send([e])).toEqual({ accepted: 0, duplicates: 1 });
  });
});

describe("monthly partitions", () => {
  const asApp = (query: ReturnType<typeof sql>) =>
    testDatabase().db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', 'mosaic_app', true), set_config('mosaic.scope_all', 'on', true)`);
      return rowsOf(await tx.execute(query));
    });

  it("let the application role append to a partition but never read one directly", async () => {
    await send([event({ occurredAt: "2026-03-10T09:00:00Z" })]);
    expect(await dbErrorOf(asApp(sql`select count(*) from audit_events_2026_03`))).toMatch(/permission denied/);
    expect(await dbErrorOf(asApp(sql`update audit_events_2026_03 set action = 'x'`))).toMatch(/permission denied/);
  });

  it("refuse TRUNCATE and DELETE of one partition, even from the owner", async () => {
    await send([event({ occurredAt: "2026-03-11T09:00:00Z" })]);
    expect(await dbErrorOf(ownerQuery(sql`truncate audit_events_2026_03`))).toMatch(/append-only/);
    expect(await dbErrorOf(ownerQuery(sql`delete from audit_events_2026_03`))).toMatch(/append-only/);
  });

  it("are whole UTC months whatever the session's time zone", async () => {
    const bounds = await testDatabase().db.transaction(async (tx) => {
      await tx.execute(sql`set local timezone = 'Pacific/Auckland'`);
      await tx.execute(sql`select mosaic_ensure_audit_partition('2031-07-01'::date)`);
      return rowsOf<{ name: string; starts: string; ends: string }>(
        await tx.execute(sql`select name, to_char(starts at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as starts, to_char(ends at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as ends
          from mosaic_audit_partitions('2031-07-15', '2031-07-15')`),
      );
    });
    expect(bounds).toEqual([{ name: "audit_events_2031_07", starts: "2031-07-01 00:00", ends: "2031-08-01 00:00" }]);
  });
});

describe("partitions known to be committed (committedPartitionsFor, for the access decisions' audit)", () => {
  const row = (occurredAt: Date): ChainedRow => ({
    id: crypto.randomUUID(),
    chain: rnz.id,
    seq: 0,
    prevHash: "",
    hash: "",
    occurredAt,
    recordedAt: occurredAt,
    action: "access.decision",
    outcome: "success",
    actorUserId: null,
    actorEmail: radiologist,
    actorTrustId: rhu.id,
    actorRole: "radiologist",
    sourceTrustId: rnz.id,
    patientNhsNumber: "9990000018",
    studyInstanceUid: "1.2.826.0.1.3680043.8.498.1",
    accessionNumber: null,
    modality: "MR",
    purpose: "mdt",
    policyId: null,
    policyVersion: null,
    breakGlassJustification: null,
    ip: null,
    workstation: null,
    targetType: null,
    targetId: null,
    details: { decision: "permit" },
  });
  const exists = async (name: string) => (await ownerQuery<{ ok: boolean }>(sql`select to_regclass(${name}) is not null as ok`))[0]?.ok;

  it("are made and committed before the append, which then does not look them up in its locked section", async () => {
    const at = new Date("2032-03-15T12:00:00Z");
    expect(await exists("audit_events_2032_03")).toBe(false);
    const partitions = await committedPartitionsFor([at]);
    expect(partitions.map((p) => p.name)).toContain("audit_events_2032_03");
    expect(await exists("audit_events_2032_03")).toBe(true); // committed: seen from another transaction
    // With the look-ups refused to the application role, an append into a known partition still
    // works: it asked for none of them.
    await ownerQuery(sql`revoke execute on function mosaic_audit_partitions(timestamptz, timestamptz), mosaic_ensure_audit_partition(date) from mosaic_app`);
    try {
      await withSystem(async (tx) => {
        const heads = await lockChainHeads(tx, [rnz.id]);
        await saveChainHeads(tx, await appendAuditEvents(tx, [row(at), row(new Date("2032-03-20T08:00:00Z"))], heads, partitions));
      });
    } finally {
      await ownerQuery(sql`grant execute on function mosaic_audit_partitions(timestamptz, timestamptz), mosaic_ensure_audit_partition(date) to mosaic_app`);
    }
    expect((await ownerQuery<{ n: number }>(sql`select count(*)::int as n from audit_events_2032_03`))[0]?.n).toBe(2);
    expect(await verifyChain(testDatabase().db, rnz.id)).toMatchObject({ ok: true });
    // Asked again, from this process's memory: the same partitions.
    expect(await committedPartitionsFor([at])).toEqual(partitions);
  });

  it("let a small batch go in as one INSERT sent with the heads' move, storing exactly what was chained", async () => {
    const first = new Date("2032-03-21T10:00:00.123Z");
    const partitions = await committedPartitionsFor([first]);
    const odd = { ...row(new Date("2032-03-21T10:00:01.456Z")), workstation: "tab\there\nnew line \\ back", details: { decision: "deny", reasons: ["a", "b"], nested: { "é": 1, z: null } } };
    await withSystem(async (tx) => appendAndMoveHeads(tx, [odd, row(first)], await lockChainHeads(tx, [rnz.id]), partitions));
    const stored = await ownerQuery<{ id: string; workstation: string | null; details: unknown }>(
      sql`select id, workstation, details from audit_events where id in (${odd.id}) or occurred_at = '2032-03-21T10:00:00.123Z' order by seq`,
    );
    expect(stored.map((r) => r.workstation)).toEqual([null, odd.workstation]);
    expect(stored[1]?.details).toEqual(odd.details);
    expect(await verifyChain(testDatabase().db, rnz.id)).toMatchObject({ ok: true });
  });

  it("are not taken from a transaction that rolled back: a row in a month they do not hold makes its partition in the caller's transaction", async () => {
    const at = new Date("2033-05-15T12:00:00Z");
    const known = await committedPartitionsFor([new Date("2032-03-15T12:00:00Z")]);
    const rolledBack = withSystem(async (tx) => {
      const heads = await lockChainHeads(tx, [rnz.id]);
      await appendAuditEvents(tx, [row(at)], heads, known);
      expect(rowsOf<{ ok: boolean }>(await tx.execute(sql`select to_regclass('audit_events_2033_05') is not null as ok`))[0]?.ok).toBe(true);
      throw new Error("rolled back");
    });
    await expect(rolledBack).rejects.toThrow("rolled back");
    expect(await exists("audit_events_2033_05")).toBe(false);
    expect((await committedPartitionsFor([at])).map((p) => p.name)).toContain("audit_events_2033_05");
    expect(await exists("audit_events_2033_05")).toBe(true);
  });
});

describe("COPY", () => {
  it("fails the transaction, and does not hang, when the server refuses a row", async () => {
    await ownerQuery(sql`create table copy_probe (n integer primary key, label text)`);
    const attempt = testDatabase().db.transaction(async (tx) => {
      const connection = copyConnectionOf(tx);
      // The duplicate key is only found once the last row has been sent.
      await copyInto(connection, "copy_probe", ["n", "label"], ["1\tone\n2\ttwo\n", `1\t${copyValue("tab\there")}\n`]);
    });
    await expect(attempt).rejects.toThrow();
    const ok = testDatabase().db.transaction(async (tx) => {
      const connection = copyConnectionOf(tx);
      await copyInto(connection, "copy_probe", ["n", "label"], [`3\t${copyValue("back\\slash\nnew line")}\n`, `4\t${copyValue(null)}\n`]);
    });
    await expect(ok).resolves.toBeUndefined();
    expect(await ownerQuery(sql`select n, label from copy_probe order by n`)).toEqual([
      { n: 3, label: "back\\slash\nnew line" },
      { n: 4, label: null },
    ]);
  });
});
