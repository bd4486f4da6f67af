// `npm run audit:scan -- [--day YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD]`: the "far more
// patients than their own usual" rule over whole days in England (default: yesterday), raising an
// unusual_volume alert for each person and trust it finds. Safe to run again: nothing is raised twice.
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { addDays, isIsoDay, londonToday } from "@/lib/calendar";
import { scanUnusualVolume } from "@/lib/audit/volume-scan";
import { describeDatabase, openCliDatabase } from "./cli-database";

const { values } = parseArgs({ options: { day: { type: "string" }, from: { type: "string" }, to: { type: "string" } }, allowPositionals: false });
const isDay = (d: string | undefined): d is string => !!d && isIsoDay(d);
const yesterday = addDays(londonToday(), -1);
const first = values.day ?? values.from ?? yesterday;
const last = values.day ?? values.to ?? (values.from ? yesterday : first);
if (!isDay(first) || !isDay(last) || first > last) {
  console.error("Usage: npm run audit:scan -- [--day YYYY-MM-DD] | [--from YYYY-MM-DD [--to YYYY-MM-DD]] (days in England; default yesterday)");
  process.exit(2);
}

const database = await openCliDatabase();
try {
  console.log(`Scanning ${first === last ? first : `${first} to ${last}`} for unusual volumes in the ${describeDatabase(database)}…`);
  const result = await database.db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
    return scanUnusualVolume(tx, first, last);
  });
  for (const u of result.unusual) console.log(`  ${u.day}  ${u.actorEmail}: ${u.patients} patients (usual ${u.baseline}, threshold ${u.threshold})`);
  console.log(`${result.days} day(s) scanned; ${result.unusual.length} unusual, ${result.raised} new alert(s) raised.`);
} finally {
  await database.close();
}
