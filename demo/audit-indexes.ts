import "server-only";
// A large first load of the demo access history (`db:seed --years 1 --scale 1`: about 20 million
// events) is written faster without the secondary indexes of audit_events: maintained row by row,
// they cost the server about twice the rest of the load. So, on the PostgreSQL server and only
// while audit_events holds no access events, they are put aside before the load and built after:
// each month's partition as soon as the month is complete, beside the load of the next (the server
// has time to spare while the generator works; the last month's while the volume scan runs), and
// at the end on the parent, which attaches the partitions' indexes and builds any partition still
// without (the month of the demo seed's own events, say). What is left is exactly what the migrations made:
// the same indexes, by the same definitions, valid on every partition under the names PostgreSQL
// gives them. The definitions are kept in a table until the indexes are back, so a load that is
// interrupted is repaired by the next seed (restoreAuditIndexes).
import { sql } from "drizzle-orm";
import { rowsOf, type Database, type Tx } from "@/db/client";
import { isDemoDatabase } from "./seed-demo";

type IndexDefinition = { name: string; def: string };

/** The indexes put aside during a load, and the builds that bring them back. */
export type DeferredAuditIndexes = {
  /** How many indexes are put aside. */
  count: number;
  /** Every event of this UTC month ("YYYY-MM") is stored: its partition's indexes are built now, in the background. */
  monthWritten(month: string): void;
  /** Waits for the background builds and puts the indexes back on audit_events, one at a time. */
  finish(onIndex?: (done: number, total: number) => void): Promise<void>;
};

/**
 * Puts the secondary indexes of audit_events aside for a large load, if that is safe and worth it:
 * in the demo consortium's database, and only while audit_events holds no access events (searches of
 * existing history would lose their indexes meanwhile). Returns null when the indexes stay.
 */
export async function deferAuditIndexes(database: Database): Promise<DeferredAuditIndexes | null> {
  if (!(await isDemoDatabase(database))) return null;
  const definitions = await database.db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
    // Taken first, so that no access event can arrive between the check and the drop.
    await tx.execute(sql`lock table audit_events in share row exclusive mode`);
    const events = rowsOf(await tx.execute(sql`select 1 from audit_events where target_type = 'study' limit 1`));
    return events.length ? null : dropAndKeep(tx);
  });
  if (!definitions || definitions.length === 0) return null;

  // One build at a time, in month order, on a connection of the pool beside the load's. A build
  // that fails costs only time: the parent's build in finish() covers that partition.
  let builds: Promise<void> = Promise.resolve();
  const monthWritten = (month: string) => {
    builds = builds.then(() => buildPartitionIndexes(database, month, definitions)).catch(() => {});
  };
  const finish = async (onIndex?: (done: number, total: number) => void) => {
    await builds;
    await restoreAuditIndexes(database, onIndex);
  };
  return { count: definitions.length, monthWritten, finish };
}

/**
 * Sets the secondary indexes of audit_events aside with no questions asked, for a benchmark that
 * loads a database of its own; restoreAuditIndexes puts them back. Returns how many.
 */
export async function setAsideAuditIndexes(database: Database): Promise<number> {
  return (await database.db.transaction((tx) => dropAndKeep(tx))).length;
}

/** Drops the secondary indexes of audit_events, keeping their definitions in mosaic_deferred_indexes. */
async function dropAndKeep(tx: Tx): Promise<IndexDefinition[]> {
  await tx.execute(sql`create table if not exists mosaic_deferred_indexes (name text primary key, def text not null, position integer not null)`);
  // In the order they were made: PostgreSQL names a partition's indexes in that order (two
  // indexes on the same columns get _idx and _idx1), so rebuilt they get the same names.
  const defs = rowsOf<IndexDefinition>(
    await tx.execute(sql`select c.relname as name, pg_get_indexdef(i.indexrelid) as def
      from pg_index i join pg_class c on c.oid = i.indexrelid
      where i.indrelid = 'audit_events'::regclass and not i.indisprimary order by i.indexrelid`),
  );
  for (const [position, d] of defs.entries()) {
    await tx.execute(
      sql`insert into mosaic_deferred_indexes (name, def, position) values (${d.name}, ${d.def}, ${position}) on conflict (name) do update set def = excluded.def, position = excluded.position`,
    );
    // Dropping a partitioned index drops its partitions' indexes with it.
    await tx.execute(sql.raw(`drop index ${quoteIdent(d.name)}`));
  }
  return defs;
}

/**
 * Puts back any indexes of audit_events still set aside (by a load that finished, or one that was
 * interrupted): each is created on the parent by its stored definition, which attaches the equal
 * indexes the partitions already have and builds the others. Does nothing when none are set aside.
 */
export async function restoreAuditIndexes(database: Database, onIndex?: (done: number, total: number) => void): Promise<number> {
  const table = rowsOf<{ t: string | null }>(await database.db.execute(sql`select to_regclass('mosaic_deferred_indexes')::text as t`))[0]?.t;
  if (!table) return 0;
  const defs = rowsOf<IndexDefinition>(await database.db.execute(sql`select name, def from mosaic_deferred_indexes order by position`));
  let done = 0;
  for (const d of defs) {
    onIndex?.(done, defs.length);
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`set local maintenance_work_mem = '256MB'`);
      const exists = rowsOf(await tx.execute(sql`select 1 from pg_class where relname = ${d.name} and relkind = 'I'`));
      // pg_get_indexdef names the parent "ON ONLY": that would make an index of the parent alone, left invalid.
      if (!exists.length) await tx.execute(sql.raw(d.def.replace(" ON ONLY ", " ON ")));
      await tx.execute(sql`delete from mosaic_deferred_indexes where name = ${d.name}`);
    });
    done++;
  }
  if (defs.length) {
    onIndex?.(done, defs.length);
    await database.db.execute(sql`drop table if exists mosaic_deferred_indexes`);
    await database.db.execute(sql`analyze audit_events`);
  }
  return defs.length;
}

/** Builds the set-aside indexes on one month's partition, unnamed so that PostgreSQL names them as it would have. */
async function buildPartitionIndexes(database: Database, month: string, definitions: IndexDefinition[]): Promise<void> {
  if (!/^\d{4}-\d{2}$/.test(month)) throw new Error(`not a month: ${month}`);
  const partition = `audit_events_${month.replace("-", "_")}`;
  const [found] = rowsOf<{ t: string | null }>(await database.db.execute(sql`select to_regclass(${partition})::text as t`));
  if (!found?.t) return;
  const existing = rowsOf<{ def: string }>(
    await database.db.execute(sql`select pg_get_indexdef(indexrelid) as def from pg_index where indrelid = ${partition}::regclass`),
  ).map((r) => withoutName(r.def));
  for (const d of definitions) {
    const def = forPartition(d.def, partition);
    if (existing.includes(withoutName(def))) continue;
    await database.db.transaction(async (tx) => {
      // Beside a load: no parallel workers, which would take the core the generator runs on.
      await tx.execute(sql`set local max_parallel_maintenance_workers = 0`);
      await tx.execute(sql`set local maintenance_work_mem = '256MB'`);
      await tx.execute(sql.raw(def));
    });
  }
}

/** "CREATE INDEX name ON ONLY public.audit_events USING …" as an unnamed index of one partition. */
function forPartition(def: string, partition: string): string {
  const match = /^CREATE INDEX \S+ ON ONLY (\S+\.)?audit_events (USING .*)$/s.exec(def);
  if (!match) throw new Error(`unexpected index definition on audit_events: ${def}`);
  return `CREATE INDEX ON ${match[1] ?? ""}${partition} ${match[2]}`;
}
const withoutName = (def: string) => def.replace(/^CREATE (UNIQUE )?INDEX \S+ ON /, "CREATE $1INDEX ON ");
const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
