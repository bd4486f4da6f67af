// `npm run db:seed -- --years N --scale F`: the demo consortium, then N years of demo history at
// scale F (1 = the consortium's real volume, about 1.3 to 1.75 million exams a year).
import { parseArgs } from "node:util";
import { runMigrations } from "@/db/migrate";
import { seedDemo } from "@/db/seed/seed-demo";
import { seedHistoryWithProgress } from "@/db/seed/history-cli";
import { checkpointDemo, describeDatabase, openCliDatabase, printDemoSignIns, writeDemoApiKey } from "./cli-database";

const { values } = parseArgs({
  options: { years: { type: "string" }, scale: { type: "string" } },
  allowPositionals: false,
});
const years = values.years === undefined ? 0 : Number(values.years);
const scale = values.scale === undefined ? 0.05 : Number(values.scale);
if (!Number.isFinite(years) || years < 0 || years > 30 || !Number.isFinite(scale) || scale <= 0 || scale > 10) {
  console.error("Usage: npm run db:seed -- [--years N (0 to 30, default 0)] [--scale F (above 0, up to 10, default 0.05)]");
  process.exit(2);
}

const database = openCliDatabase();
try {
  await runMigrations(database);
  const { outcome, ...seeded } = await seedDemo(database);
  if (outcome === "refused") {
    console.error("This database holds users that are not demo data: the demo seed never runs against it.");
    process.exitCode = 1;
  } else {
    console.log(outcome === "seeded" ? `Demo consortium created in the ${describeDatabase(database)}.` : "The demo consortium is already there.");
    if ("demoApiKey" in seeded) {
      console.log(`The demo PACS's API key is in ${writeDemoApiKey(seeded.demoApiKey)}.`);
      await checkpointDemo(database);
    }
    if (years > 0) {
      const h = await seedHistoryWithProgress(database, years, scale);
      console.log(
        `History: ${h.days.toLocaleString("en-GB")} days, ${h.exams.toLocaleString("en-GB")} new exams, ${h.snapshots.toLocaleString("en-GB")} storage snapshots ` +
          `in ${h.seconds.toFixed(1)} s (peak memory ${h.peakRssMb} MB).`,
      );
    }
    printDemoSignIns();
  }
} finally {
  await database.close();
}
