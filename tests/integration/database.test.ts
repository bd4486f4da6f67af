import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { listChains, verifyChain } from "@/lib/audit/verify";
import { createSite } from "@/lib/trusts/commands";
import { testDatabase } from "../helpers/database";
import { dbErrorOf, makeTrust, makeUser, ownerQuery } from "../helpers/factories";

describe("migrations", () => {
  it("apply to an empty database and make every table", async () => {
    const rows = await ownerQuery<{ name: string }>(sql`select tablename as name from pg_tables where schemaname = 'public' order by 1`);
    const names = rows.map((r) => r.name);
    for (const t of ["consortium", "trusts", "sites", "departments", "users", "role_assignments", "user_sessions", "audit_chain_heads"]) expect(names).toContain(t);
    const partitioned = await ownerQuery<{ n: number }>(sql`select count(*)::int as n from pg_partitioned_table p join pg_class c on c.oid = p.partrelid where c.relname = 'audit_events'`);
    expect(partitioned[0]?.n).toBe(1);
  });

  it("force row-level security on every tenant table", async () => {
    const rows = await ownerQuery<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      sql`select relname, relrowsecurity, relforcerowsecurity from pg_class where relname in ('trusts', 'sites', 'departments', 'users', 'role_assignments', 'user_sessions', 'audit_events') order by relname`,
    );
    expect(rows).toHaveLength(7);
    for (const r of rows) expect([r.relname, r.relrowsecurity, r.relforcerowsecurity]).toEqual([r.relname, true, true]);
  });

  it("give the application role no DELETE or TRUNCATE on any record (only expired rate-limit counters are swept)", async () => {
    const rows = await ownerQuery<{ table_name: string; privilege_type: string }>(
      sql`select table_name, privilege_type from information_schema.role_table_grants where grantee = 'mosaic_app' and privilege_type in ('DELETE', 'TRUNCATE')`,
    );
    // rate_limits holds counters that expire (db/migrations/0018_rate_limits.sql), not records.
    expect(rows).toEqual([{ table_name: "rate_limits", privilege_type: "DELETE" }]);
  });
});

describe("the audit trail", () => {
  async function someEvents() {
    const trust = await makeTrust();
    const pacs = await makeUser([{ role: "pacs_manager", trustId: trust.id }]);
    for (let i = 1; i <= 4; i++) {
      const result = await createSite(pacs, trust.odsCode, { code: `${trust.odsCode.slice(1)}${i}`.padEnd(5, "9"), name: `Site number ${i}`, town: "Town", postcode: "SO16 6YD" });
      expect(result.ok).toBe(true);
    }
    return trust;
  }

  it("refuses UPDATE, DELETE and TRUNCATE from the application role", async () => {
    const trust = await someEvents();
    const asApp = (query: ReturnType<typeof sql>) =>
      testDatabase().db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('role', 'mosaic_app', true), set_config('mosaic.scope_all', 'on', true)`);
        return rowsOf(await tx.execute(query));
      });
    expect(await dbErrorOf(asApp(sql`update audit_events set action = 'x' where source_trust_id = ${trust.id}`))).toMatch(/permission denied/);
    expect(await dbErrorOf(asApp(sql`delete from audit_events where source_trust_id = ${trust.id}`))).toMatch(/permission denied/);
    expect(await dbErrorOf(asApp(sql`truncate audit_events`))).toMatch(/permission denied/);
  });

  it("refuses UPDATE, DELETE and TRUNCATE even from the owner, by trigger", async () => {
    const trust = await someEvents();
    expect(await dbErrorOf(ownerQuery(sql`update audit_events set action = 'x' where source_trust_id = ${trust.id}`))).toMatch(/append-only/);
    expect(await dbErrorOf(ownerQuery(sql`delete from audit_events where source_trust_id = ${trust.id}`))).toMatch(/append-only/);
    expect(await dbErrorOf(ownerQuery(sql`truncate audit_events`))).toMatch(/append-only/);
  });

  it("verifies intact chains", async () => {
    // Two chains of its own, with their events, so that "every chain verified" is never the empty
    // truth of no chains (and chains other tests tamper with are not this test's business).
    const trusts = [await someEvents(), await someEvents()];
    const db = testDatabase().db;
    const chains = await listChains(db);
    for (const trust of trusts) {
      expect(chains).toContain(trust.id);
      const events = await chainOf(trust.id);
      // The four sites each writer made, at least, one after the other from sequence 1.
      expect(events.length).toBeGreaterThanOrEqual(4);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(await verifyChain(db, trust.id)).toMatchObject({ ok: true, firstBreak: null, events: events.length, headSeq: events.length });
    }
  });

  // Someone with superuser access switches the triggers off and tampers; verify names the event.
  async function tamper(query: ReturnType<typeof sql>) {
    await testDatabase().db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(query);
    });
  }

  async function chainOf(trustId: string) {
    return testDatabase().db.select().from(auditEvents).where(eq(auditEvents.chain, trustId)).orderBy(auditEvents.seq);
  }

  it("names an edited event", async () => {
    const trust = await someEvents();
    const events = await chainOf(trust.id);
    await tamper(sql`update audit_events set details = '{"after": {"name": "forged"}}' where id = ${events[1]!.id}`);
    expect(await verifyChain(testDatabase().db, trust.id)).toMatchObject({ ok: false, firstBreak: { problem: "hash_mismatch", seq: 2, eventId: events[1]!.id } });
  });

  it("names a deleted event", async () => {
    const trust = await someEvents();
    const events = await chainOf(trust.id);
    await tamper(sql`delete from audit_events where id = ${events[2]!.id}`);
    expect(await verifyChain(testDatabase().db, trust.id)).toMatchObject({ ok: false, firstBreak: { problem: "sequence_gap", seq: 3 } });
  });

  it("names a deleted last event", async () => {
    const trust = await someEvents();
    const events = await chainOf(trust.id);
    await tamper(sql`delete from audit_events where id = ${events[3]!.id}`);
    expect(await verifyChain(testDatabase().db, trust.id)).toMatchObject({ ok: false, firstBreak: { problem: "missing_event" } });
  });

  it("names an inserted event", async () => {
    const trust = await someEvents();
    const events = await chainOf(trust.id);
    const e = events[1]!;
    // A forged event slipped in at sequence 2, shifting the real ones up, with a self-consistent hash.
    await tamper(sql`update audit_events set seq = seq + 1 where chain = ${trust.id} and seq >= 2`);
    await tamper(sql`insert into audit_events (id, occurred_at, recorded_at, chain, seq, prev_hash, hash, action, outcome)
      values (gen_random_uuid(), ${e.occurredAt.toISOString()}, ${e.recordedAt.toISOString()}, ${trust.id}, 2, ${events[0]!.hash}, ${"f".repeat(64)}, 'site.create', 'success')`);
    expect(await verifyChain(testDatabase().db, trust.id)).toMatchObject({ ok: false, firstBreak: { seq: 2 } });
  });
});
