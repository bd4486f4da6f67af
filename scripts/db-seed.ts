import { runMigrations } from "@/db/migrate";
import { seedDemo } from "@/db/seed/seed-demo";
import { checkpointDemo, describeDatabase, openCliDatabase, printDemoSignIns, writeDemoApiKey } from "./cli-database";

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
    printDemoSignIns();
  }
} finally {
  await database.close();
}
