// `npm run db:seed -- --years N --scale F`: the demo consortium, then N years of demo history at
// scale F (1 = the consortium's real volume: 1.3 to 1.75 million exams and about 20 million access
// events a year). `--audit-days D` and `--audit-scale G` set the access history apart.
import { parseArgs } from "node:util";
import { runMigrations } from "@/db/migrate";
import { seedAccessHistoryWithProgress } from "@/demo/access-history-cli";
import { seedHistoryWithProgress } from "@/demo/history-cli";
import { restoreAuditIndexes } from "@/demo/audit-indexes";
import { seedDemo } from "@/demo/seed-demo";
import { checkpointDemo, describeDatabase, openCliDatabase, printDemoSignIns, writeDemoApiKey } from "./cli-database";

const { values } = parseArgs({
  options: { years: { type: "string" }, scale: { type: "string" }, "audit-days": { type: "string" }, "audit-scale": { type: "string" } },
  allowPositionals: false,
});
const years = values.years === undefined ? 0 : Number(values.years);
const scale = values.scale === undefined ? 0.05 : Number(values.scale);
const auditDays = values["audit-days"] === undefined ? Math.round(years * 365) : Number(values["audit-days"]);
const auditScale = values["audit-scale"] === undefined ? scale : Number(values["audit-scale"]);
const bad = (n: number, max: number) => !Number.isFinite(n) || n < 0 || n > max;
if (bad(years, 30) || bad(scale, 10) || scale === 0 || !Number.isInteger(auditDays) || bad(auditDays, 11_000) || bad(auditScale, 10) || auditScale === 0) {
  console.error("Usage: npm run db:seed -- [--years N (0 to 30)] [--scale F (above 0, up to 10; default 0.05)] [--audit-days D] [--audit-scale G]");
  process.exit(2);
}

const database = await openCliDatabase();
try {
  await runMigrations(database);
  // A large seed that was interrupted can leave the audit indexes set aside: they come back first.
  await restoreAuditIndexes(database);
  const { outcome, ...seeded } = await seedDemo(database);
  if (outcome === "refused") {
    console.error("This database holds users that are not demo data: the demo seed never runs against it.");
    process.exitCode = 1;
  } else {
    console.log(outcome === "seeded" ? `Demo consortium created in the ${describeDatabase(database)}.` : "The demo consortium is already there.");
    if ("demoApiKey" in seeded) console.log(`The demo PACS's API key is in ${writeDemoApiKey(seeded.demoApiKey)}.`);
    if (years > 0) {
      const h = await seedHistoryWithProgress(database, years, scale);
      console.log(
        `History: ${h.days.toLocaleString("en-GB")} days, ${h.exams.toLocaleString("en-GB")} new exams, ${h.snapshots.toLocaleString("en-GB")} storage snapshots ` +
          `in ${h.seconds.toFixed(1)} s (peak memory ${h.peakRssMb} MB).`,
      );
    }
    if (auditDays > 0) {
      const h = await seedAccessHistoryWithProgress(database, auditDays, auditScale);
      const alerts = Object.entries(h.alerts).map(([rule, n]) => `${rule} ${n}`).join(", ");
      console.log(
        `Access history: ${h.events.toLocaleString("en-GB")} events over ${h.days} days (${h.crossTrust.toLocaleString("en-GB")} cross-trust, ${h.breakGlass} break-glass) ` +
          `in ${h.seconds.toFixed(1)} s${h.indexSeconds === null ? "" : `, the last ${h.indexSeconds.toFixed(1)} s putting back the indexes set aside for the load`} (peak memory ${h.peakRssMb} MB); alerts: ${alerts || "none"}.`,
      );
    }
    // Sign checkpoints over what the seed wrote, so that the verify page has some to check.
    if (outcome === "seeded" || auditDays > 0) await checkpointDemo(database);
    printDemoSignIns();
  }
} finally {
  await database.close();
}
