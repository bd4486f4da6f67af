// The isolation matrix: every portal role at every trust, against every other trust's sites,
// departments and DICOM devices, through lib/ (the application layer) and through raw SQL as the application role
// (row-level security on its own).
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { testDatabase } from "../helpers/database";
import { dbErrorOf, makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";
import { rolePermissions } from "@/lib/auth/permissions";
import { portalRoles } from "@/lib/vocabulary";
import { createDepartment, createSite, updateDepartment, updateSite, updateTrust } from "@/lib/trusts/commands";
import { getDepartment, getSite, getTrust, getTrustSites, listTrusts } from "@/lib/trusts/queries";
import { createDevice, retireDevice, updateDevice } from "@/lib/devices/commands";
import { getDevice, getDeviceForm, listDevices } from "@/lib/devices/queries";
import { AppError } from "@/lib/errors";
import { rowsOf, type Tx } from "@/db/client";
import { copyConnectionOf, copyInto } from "@/db/copy";
import { recordAuditEvent } from "@/lib/audit/record";
import { withSystem, withTenant } from "@/lib/db/scope";

const trustRoles = portalRoles.filter((r) => r !== "consortium_admin");

let trusts: TestTrust[] = [];
const callers = new Map<string, Ctx>();
/** Each trust's DICOM device, by trust id. */
const devices = new Map<string, string>();

beforeAll(async () => {
  trusts = [];
  for (let i = 0; i < 4; i++) trusts.push(await makeTrust());
  for (const trust of trusts) {
    const [device] = await ownerQuery<{ id: string }>(
      sql`insert into dicom_devices (trust_id, site_id, department_id, ae_title, kind, modality) values (${trust.id}, ${trust.siteId}, ${trust.departmentId}, ${`${trust.odsCode}_CT1`}, 'modality', 'CT') returning id`,
    );
    devices.set(trust.id, device!.id);
  }
  for (const role of trustRoles) {
    for (const trust of trusts) callers.set(`${role}@${trust.odsCode}`, await makeUser([{ role, trustId: trust.id }]));
  }
  // One event on each trust's chain, so that every chain has a head and a partition exists.
  await withSystem(async (tx) => {
    for (const trust of trusts) await recordAuditEvent(tx, { action: "trust.update", actor: { email: "seed@test.example" }, sourceTrustId: trust.id, occurredAt: eventTime });
  });
});

const eventTime = new Date("2026-05-01T09:30:00Z");
const eventPartition = "audit_events_2026_05";

async function expectNotFound(promise: Promise<unknown>) {
  await expect(promise).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === "NOT_FOUND");
}

const site = { code: "ZZZ99", name: "Intruder Hospital", town: "Nowhere", postcode: "SO16 6YD", status: "active" };
const deviceOf = (trust: TestTrust) => devices.get(trust.id)!;
const intruderDevice = (siteId: string, departmentId: string | null = null) => ({ aeTitle: `ZZ_${crypto.randomUUID().slice(0, 8)}`, kind: "modality", modality: "CT", siteId, departmentId: departmentId ?? "" });

describe.each(trustRoles)("a %s", (role) => {
  it.each([0, 1, 2, 3])("of trust #%i reads and writes nothing of the other trusts", async (i) => {
    const home = trusts[i]!;
    const ctx = callers.get(`${role}@${home.odsCode}`)!;
    const visible = (await listTrusts(ctx)).map((t) => t.odsCode);
    expect(visible).toEqual([home.odsCode]);

    for (const other of trusts.filter((t) => t !== home)) {
      await expectNotFound(getTrust(ctx, other.odsCode));
      await expectNotFound(getTrustSites(ctx, other.odsCode));
      await expectNotFound(getSite(ctx, other.odsCode, other.siteId));
      await expectNotFound(getDepartment(ctx, other.odsCode, other.departmentId));
      // The other trust's ids under the caller's own trust are not found either.
      await expectNotFound(getSite(ctx, home.odsCode, other.siteId));
      await expectNotFound(getDepartment(ctx, home.odsCode, other.departmentId));
      await expectNotFound(listDevices(ctx, other.odsCode));
      await expectNotFound(getDeviceForm(ctx, other.odsCode));
      await expectNotFound(getDevice(ctx, other.odsCode, deviceOf(other)));
      await expectNotFound(getDevice(ctx, home.odsCode, deviceOf(other)));

      for (const result of [
        await updateTrust(ctx, other.odsCode, { name: "Renamed by intruder", status: "active" }),
        await createSite(ctx, other.odsCode, site),
        await updateSite(ctx, other.odsCode, other.siteId, site),
        await createDepartment(ctx, other.odsCode, { siteId: other.siteId, name: "Intruder Imaging", modalities: ["CT"] }),
        await updateDepartment(ctx, other.odsCode, other.departmentId, { siteId: other.siteId, name: "Intruder Imaging", modalities: ["CT"] }),
        await createDevice(ctx, other.odsCode, intruderDevice(other.siteId)),
        await updateDevice(ctx, other.odsCode, deviceOf(other), intruderDevice(other.siteId)),
        await retireDevice(ctx, other.odsCode, deviceOf(other)),
      ]) {
        expect(result).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
      }
      // Writes aimed at the other trust's records from the caller's own trust: a role that may not
      // change its own trust's sites is refused for that; one that may finds no such record.
      const ownSite = await updateSite(ctx, home.odsCode, other.siteId, site);
      const ownDepartment = await updateDepartment(ctx, home.odsCode, other.departmentId, { siteId: other.siteId, name: "X-ray", modalities: ["DX"] });
      const department = { name: "X-ray", modalities: ["DX"] };
      const newDepartment = await createDepartment(ctx, home.odsCode, { siteId: other.siteId, ...department });
      const ownDevice = await updateDevice(ctx, home.odsCode, deviceOf(other), intruderDevice(home.siteId));
      const ownRetire = await retireDevice(ctx, home.odsCode, deviceOf(other));
      const deviceAtOtherSite = await createDevice(ctx, home.odsCode, intruderDevice(other.siteId));
      const deviceInOtherDepartment = await createDevice(ctx, home.odsCode, intruderDevice(home.siteId, other.departmentId));
      if (!rolePermissions[role].includes("sites.write")) {
        for (const result of [ownSite, ownDepartment, newDepartment, ownDevice, ownRetire, deviceAtOtherSite, deviceInOtherDepartment]) {
          expect(result).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
        }
        continue;
      }
      expect(ownSite).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
      expect(ownDepartment).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
      expect(ownDevice).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
      expect(ownRetire).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
      // Another trust's site or department, chosen for a device, reads as one that exists nowhere.
      expect(deviceAtOtherSite).toEqual(await createDevice(ctx, home.odsCode, intruderDevice(crypto.randomUUID())));
      expect(deviceAtOtherSite).toMatchObject({ ok: false, error: { code: "VALIDATION", fieldErrors: { siteId: [expect.any(String)] } } });
      expect(deviceInOtherDepartment).toEqual(await createDevice(ctx, home.odsCode, intruderDevice(home.siteId, crypto.randomUUID())));
      expect(deviceInOtherDepartment).toMatchObject({ ok: false, error: { code: "VALIDATION", fieldErrors: { departmentId: [expect.any(String)] } } });
      // The other trust's site, chosen for a new department, is refused in the very words of a site
      // that does not exist anywhere: the answer does not tell that it exists.
      const unknownSite = await createDepartment(ctx, home.odsCode, { siteId: crypto.randomUUID(), ...department });
      expect(newDepartment).toMatchObject({ ok: false, error: { code: "VALIDATION", fieldErrors: { siteId: [expect.any(String)] } } });
      expect(newDepartment).toEqual(unknownSite);
    }
  });
});

describe.each(trustRoles)("a %s's transaction", (role) => {
  it.each([0, 1, 2, 3])("at trust #%i appends to no other trust's audit chain, nor to the consortium's", async (i) => {
    const home = trusts[i]!;
    const ctx = callers.get(`${role}@${home.odsCode}`)!;
    for (const chainOwner of [...trusts.filter((t) => t !== home).map((t) => t.id), null]) {
      // lib/ would never do this; the database refuses it anyway (the lock of the head, then the row).
      const refused = await dbErrorOf(
        withTenant(ctx, (tx) => recordAuditEvent(tx, { action: "trust.update", actor: { email: ctx.email }, sourceTrustId: chainOwner, occurredAt: eventTime })),
      );
      expect(refused).toMatch(/outside the caller's scope/);
    }
    // Its own trust's chain takes its event.
    await withTenant(ctx, (tx) => recordAuditEvent(tx, { action: "trust.update", actor: { email: ctx.email }, sourceTrustId: home.id, occurredAt: eventTime }));
  });
});

describe("a consortium administrator", () => {
  it("reads every trust", async () => {
    const admin = await makeUser([{ role: "consortium_admin", trustId: null }], { homeTrustId: null });
    const visible = (await listTrusts(admin)).map((t) => t.odsCode);
    for (const t of trusts) expect(visible).toContain(t.odsCode);
  });
});

describe("row-level security on its own", () => {
  // As the application role with trust A's scope, with no application check in the way.
  let currentTx: Tx | undefined;
  async function asAppRole<T>(scopeTrustId: string, fn: (q: (query: ReturnType<typeof sql>) => Promise<unknown[]>) => Promise<T>) {
    return testDatabase().db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', 'mosaic_app', true), set_config('mosaic.trust_ids', ${`{${scopeTrustId}}`}, true), set_config('mosaic.scope_all', 'off', true)`);
      currentTx = tx;
      return fn(async (query) => rowsOf(await tx.execute(query)));
    });
  }

  it.each([0, 1, 2, 3])("with trust #%i's scope returns no row of the others", async (i) => {
    const home = trusts[i]!;
    for (const other of trusts.filter((t) => t !== home)) {
      const seen = await asAppRole(home.id, async (q) => ({
        trusts: await q(sql`select id from trusts where id = ${other.id}`),
        sites: await q(sql`select id from sites where trust_id = ${other.id}`),
        departments: await q(sql`select id from departments where trust_id = ${other.id}`),
        allSites: await q(sql`select trust_id from sites`),
        updated: await q(sql`update sites set name = 'hijacked' where trust_id = ${other.id} returning id`),
        updatedDepts: await q(sql`update departments set name = 'hijacked' where trust_id = ${other.id} returning id`),
        devices: await q(sql`select id from dicom_devices where trust_id = ${other.id} or ae_title = ${`${other.odsCode}_CT1`}`),
        updatedDevices: await q(sql`update dicom_devices set retired_at = now() where trust_id = ${other.id} returning id`),
      }));
      expect(seen.devices).toEqual([]);
      expect(seen.updatedDevices).toEqual([]);
      expect(
        await dbErrorOf(asAppRole(home.id, (q) => q(sql`insert into dicom_devices (trust_id, site_id, ae_title, kind) values (${other.id}, ${other.siteId}, 'SNEAKY', 'other')`))),
      ).toMatch(/row-level security/);
      expect(seen.trusts).toEqual([]);
      expect(seen.sites).toEqual([]);
      expect(seen.departments).toEqual([]);
      expect(seen.allSites.every((r) => (r as { trust_id: string }).trust_id === home.id)).toBe(true);
      expect(seen.updated).toEqual([]);
      expect(seen.updatedDepts).toEqual([]);
      expect(
        await dbErrorOf(asAppRole(home.id, (q) => q(sql`insert into sites (trust_id, code, name, town, postcode) values (${other.id}, 'RLS01', 'Sneaky', 'Town', 'SO16 6YD')`))),
      ).toMatch(/row-level security/);
      expect(
        await dbErrorOf(asAppRole(home.id, (q) => q(sql`insert into departments (trust_id, site_id, name) values (${other.id}, ${other.siteId}, 'Sneaky')`))),
      ).toMatch(/row-level security/);
    }
  });

  // A row of audit_events for `chain`, about `source`'s images, as raw SQL values.
  const eventValues = (chain: string, source: string | null) =>
    sql`(${crypto.randomUUID()}, ${eventTime.toISOString()}::timestamptz, now(), ${chain}, 999, ${"0".repeat(64)}, ${"1".repeat(64)}, 'study.view', 'success', ${source}::uuid)`;
  const eventColumns = sql.raw("(id, occurred_at, recorded_at, chain, seq, prev_hash, hash, action, outcome, source_trust_id)");

  it.each([0, 1, 2, 3])("with trust #%i's scope reads, moves and appends to no other trust's audit chain", async (i) => {
    const home = trusts[i]!;
    for (const other of trusts.filter((t) => t !== home)) {
      expect(await asAppRole(home.id, (q) => q(sql`select chain from audit_chain_heads where chain = ${other.id} or chain = 'consortium'`))).toEqual([]);
      const heads = await asAppRole(home.id, (q) => q(sql`select chain from audit_chain_heads`));
      expect(heads).toEqual([{ chain: home.id }]);
      // Heads move only through the definer functions: no UPDATE or INSERT, even of its own.
      for (const chain of [other.id, home.id]) {
        expect(await dbErrorOf(asAppRole(home.id, (q) => q(sql`update audit_chain_heads set seq = seq + 1 where chain = ${chain}`)))).toMatch(/permission denied/);
      }
      expect(
        await dbErrorOf(asAppRole(home.id, (q) => q(sql`insert into audit_chain_heads (chain, seq, hash) values (${other.id}, 0, ${"0".repeat(64)})`))),
      ).toMatch(/permission denied/);
      expect(await dbErrorOf(asAppRole(home.id, (q) => q(sql`select * from mosaic_lock_chain_heads(array[${other.id}]::text[])`)))).toMatch(/outside the caller's scope/);
      expect(
        await dbErrorOf(asAppRole(home.id, (q) => q(sql`select mosaic_advance_chain_heads(array[${other.id}]::text[], array[999]::bigint[], array[${"1".repeat(64)}]::text[])`))),
      ).toMatch(/outside the caller's scope/);

      // Appending to another trust's chain through the parent table: refused by its policy, and a
      // chain that is not the event's source trust's is refused too.
      for (const [chain, source] of [
        [other.id, other.id],
        [other.id, home.id],
        [home.id, other.id],
        ["consortium", null],
      ] as const) {
        expect(await dbErrorOf(asAppRole(home.id, (q) => q(sql`insert into audit_events ${eventColumns} values ${eventValues(chain, source)}`)))).toMatch(
          /row-level security/,
        );
        // Through a partition, where row-level security does not apply: refused by its trigger.
        expect(await dbErrorOf(asAppRole(home.id, (q) => q(sql`insert into ${sql.raw(eventPartition)} ${eventColumns} values ${eventValues(chain, source)}`)))).toMatch(
          /outside the caller's scope/,
        );
      }
      // COPY into a partition, as the bulk append does. The same COPY of the caller's own chain
      // goes through (rolled back by the sentinel), so the refusal is the scope's.
      const copyAs = (chain: string) =>
        asAppRole(home.id, async () => {
          const connection = currentTx && copyConnectionOf(currentTx);
          if (!connection) throw new Error("no COPY connection");
          const line = [crypto.randomUUID(), eventTime.toISOString(), eventTime.toISOString(), chain, "999", "0".repeat(64), "1".repeat(64), "study.view", "success", chain].join("\t");
          await copyInto(connection, eventPartition, ["id", "occurred_at", "recorded_at", "chain", "seq", "prev_hash", "hash", "action", "outcome", "source_trust_id"], [`${line}\n`]);
          throw new Error("copied; rolled back");
        });
      expect(await dbErrorOf(copyAs(home.id))).toBe("copied; rolled back");
      // db/copy.ts reports what the server answers next (postgres.js loses the COPY's own error).
      expect(await dbErrorOf(copyAs(other.id))).toMatch(/The database refused the rows copied into audit_events_2026_05/);
    }
    // Nothing of the above reached another trust's chain.
    for (const t of trusts) expect(await ownerQuery(sql`select id from audit_events where chain = ${t.id} and seq = 999`)).toEqual([]);
  });

  it("moves the caller's own chain head only forward, and only to an event of that chain", async () => {
    const home = trusts[0]!;
    const [head] = await ownerQuery<{ seq: string; hash: string }>(sql`select seq::text, hash from audit_chain_heads where chain = ${home.id}`);
    if (!head) throw new Error("no head");
    const advance = (seq: number, hash: string) =>
      asAppRole(home.id, (q) => q(sql`select mosaic_advance_chain_heads(array[${home.id}]::text[], array[${seq}]::bigint[], array[${hash}]::text[])`));
    expect(await dbErrorOf(advance(Number(head.seq) - 1, head.hash))).toMatch(/may only move forward/);
    expect(await dbErrorOf(advance(Number(head.seq), "2".repeat(64)))).toMatch(/may only move forward/);
    expect(await dbErrorOf(advance(Number(head.seq) + 5, "2".repeat(64)))).toMatch(/has no event/);
    // Where it stands already is no move at all.
    await advance(Number(head.seq), head.hash);
  });

  it("with no scope at all returns nothing", async () => {
    const rows = await testDatabase().db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', 'mosaic_app', true)`);
      return rowsOf(await tx.execute(sql`select id from sites`));
    });
    expect(rows).toEqual([]);
  });

  it("the application role cannot delete tenant rows at all", async () => {
    const home = trusts[0]!;
    expect(await dbErrorOf(asAppRole(home.id, (q) => q(sql`delete from sites where trust_id = ${home.id}`)))).toMatch(/permission denied/);
  });
});
