// A large first load of the demo history builds the secondary indexes of audit_events after the load
// (demo/audit-indexes.ts): afterwards the database must hold exactly what the migrations make,
// the same indexes on audit_events, valid, on every partition under the names PostgreSQL gives them.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { generateAccessHistory } from "@/demo/access-history";
import { deferAuditIndexes, restoreAuditIndexes } from "@/demo/audit-indexes";
import { seedDemo } from "@/demo/seed-demo";
import { testDatabase } from "../helpers/database";
import { ownerQuery } from "../helpers/factories";

type IndexRow = { tbl: string; name: string; def: string; valid: boolean; parent: string | null };

/** Every index of audit_events and of its partitions, with the parent index each is attached to. */
const auditIndexes = () =>
  ownerQuery<IndexRow>(sql`select t.relname as tbl, c.relname as name, pg_get_indexdef(i.indexrelid) as def, i.indisvalid as valid,
      (select p.relname from pg_inherits h join pg_class p on p.oid = h.inhparent where h.inhrelid = i.indexrelid) as parent
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
    where t.relname = 'audit_events' or t.oid in (select inhrelid from pg_inherits where inhparent = 'audit_events'::regclass)
    order by 1, 2`);

/** A partition's indexes as a partition made by mosaic_ensure_audit_partition would have them, its name taken out. */
const shapeOf = (rows: IndexRow[], partition: string) =>
  rows
    .filter((r) => r.tbl === partition)
    .map((r) => ({ name: r.name.replace(partition, "P"), def: r.def.replaceAll(partition, "P"), valid: r.valid, parent: r.parent }))
    .sort((a, b) => a.name.localeCompare(b.name));

let before: IndexRow[];

beforeAll(async () => {
  expect((await seedDemo(testDatabase())).outcome).toBe("seeded");
  before = await auditIndexes();
});

describe("the audit indexes set aside for a large load", () => {
  it("come back by the next seed when a load is interrupted", async () => {
    const deferred = await deferAuditIndexes(testDatabase());
    expect(deferred?.count).toBe(before.filter((r) => r.tbl === "audit_events" && !r.name.endsWith("_pkey")).length);
    expect((await auditIndexes()).filter((r) => r.tbl === "audit_events").map((r) => r.name)).toEqual(["audit_events_pkey"]);
    expect(await restoreAuditIndexes(testDatabase())).toBe(deferred?.count);
    expect(await auditIndexes()).toEqual(before);
  });

  it("are built month by month beside the load, and the database ends as the migrations make it", async () => {
    const deferred = await deferAuditIndexes(testDatabase());
    expect(deferred).not.toBeNull();
    const months: string[] = [];
    const result = await generateAccessHistory(testDatabase(), {
      from: new Date("2026-01-12T00:00:00Z"),
      to: new Date("2026-03-20T00:00:00Z"),
      scale: 0.005,
      batchSize: 1_000,
      scanVolume: false,
      onMonthWritten: (month) => {
        months.push(month);
        deferred!.monthWritten(month);
      },
    });
    expect(result.events).toBeGreaterThan(5_000);
    // January and February were complete while the load went on, March as it ended.
    expect(months).toEqual(["2026-01", "2026-02", "2026-03"]);
    await deferred!.finish();

    const after = await auditIndexes();
    expect(after.filter((r) => r.tbl === "audit_events")).toEqual(before.filter((r) => r.tbl === "audit_events"));
    expect(after.every((r) => r.valid)).toBe(true);
    expect(await ownerQuery(sql`select 1 from pg_class where relname = 'mosaic_deferred_indexes'`)).toEqual([]);
    // A partition made now, the ordinary way, is the yardstick for every partition of the load.
    await ownerQuery(sql`select mosaic_ensure_audit_partition('2031-01-01')`);
    const withYardstick = await auditIndexes();
    const yardstick = shapeOf(withYardstick, "audit_events_2031_01");
    expect(yardstick.length).toBe(before.filter((r) => r.tbl === "audit_events").length);
    for (const partition of ["audit_events_2026_01", "audit_events_2026_02", "audit_events_2026_03"]) {
      expect(shapeOf(withYardstick, partition), partition).toEqual(yardstick);
    }
    // With access events stored, the indexes are never set aside again.
    expect(await deferAuditIndexes(testDatabase())).toBeNull();
  });
});
