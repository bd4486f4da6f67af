// `npm run capacity:rebuild-rollups`: recomputes every capacity rollup from the raw rows (exams,
// storage usage, audit events), for example after a bulk load that bypassed the ingest.
import { rebuildRollups } from "@/lib/capacity/rollups";
import { describeDatabase, openCliDatabase } from "./cli-database";

const database = await openCliDatabase();
try {
  const started = Date.now();
  const counts = await rebuildRollups(database.db);
  console.log(`Rebuilt the capacity rollups in the ${describeDatabase(database)} (${((Date.now() - started) / 1000).toFixed(1)} s):`);
  for (const [table, n] of Object.entries(counts)) console.log(`  ${table.padEnd(36)} ${n.toLocaleString("en-GB")} rows`);
} finally {
  await database.close();
}
