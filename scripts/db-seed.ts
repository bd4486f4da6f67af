// `npm run db:seed -- [--audit-days N] [--audit-scale F]`: the demo consortium, then (with
// --audit-days) N days of demo access history up to now at scale F (1 = the consortium's volume,
// about 55,000 access events a day; default 0.05).
import { parseArgs } from "node:util";
import { SingleBar, Presets } from "cli-progress";
import { runMigrations } from "@/db/migrate";
import { generateAccessHistory } from "@/db/seed/access-history";
import { seedDemo } from "@/db/seed/seed-demo";
import { checkpointDemo, describeDatabase, openCliDatabase, printDemoSignIns, writeDemoApiKey } from "./cli-database";

const { values } = parseArgs({
  options: { "audit-days": { type: "string" }, "audit-scale": { type: "string" } },
  allowPositionals: false,
});
const auditDays = values["audit-days"] === undefined ? 0 : Number(values["audit-days"]);
const auditScale = values["audit-scale"] === undefined ? 0.05 : Number(values["audit-scale"]);
if (!Number.isInteger(auditDays) || auditDays < 0 || auditDays > 3_660 || !Number.isFinite(auditScale) || auditScale <= 0 || auditScale > 10) {
  console.error("Usage: npm run db:seed -- [--audit-days N (0 to 3660, default 0)] [--audit-scale F (above 0, up to 10, default 0.05)]");
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
    if ("demoApiKey" in seeded) console.log(`The demo PACS's API key is in ${writeDemoApiKey(seeded.demoApiKey)}.`);
    if (auditDays > 0) {
      // Whole days in England, ending now.
      const to = new Date();
      const from = new Date(to.getTime() - auditDays * 86_400_000);
      const bar = new SingleBar({ format: "Access history |{bar}| {value}/{total} days | {day} | {events} events", hideCursor: true }, Presets.shades_classic);
      bar.start(auditDays + 1, 0, { day: "", events: "0" });
      const started = performance.now();
      const h = await generateAccessHistory(database, {
        from,
        to,
        scale: auditScale,
        onProgress: (p) => {
          bar.setTotal(p.days);
          bar.update(p.daysDone, { day: p.day, events: p.events.toLocaleString("en-GB") });
        },
      });
      bar.stop();
      const alerts = Object.entries(h.alerts).map(([rule, n]) => `${rule} ${n}`).join(", ");
      console.log(
        `Access history: ${h.events.toLocaleString("en-GB")} events over ${h.days} days (${h.crossTrust.toLocaleString("en-GB")} cross-trust, ${h.breakGlass} break-glass) ` +
          `in ${((performance.now() - started) / 1000).toFixed(1)} s; alerts: ${alerts || "none"}.`,
      );
    }
    // A signed checkpoint of every chain head, after the history so that it covers it too.
    if ("demoApiKey" in seeded || auditDays > 0) await checkpointDemo(database);
    printDemoSignIns();
  }
} finally {
  await database.close();
}
