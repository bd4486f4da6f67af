import { runMigrations } from "@/db/migrate";
import { seedDemo } from "@/db/seed/seed-demo";
import { describeDatabase, openCliDatabase, printDemoSignIns } from "./cli-database";

const database = openCliDatabase();
try {
  await runMigrations(database);
  const outcome = await seedDemo(database);
  if (outcome === "refused") {
    console.error("This database holds users that are not demo data: the demo seed never runs against it.");
    process.exitCode = 1;
  } else {
    console.log(outcome === "seeded" ? `Demo consortium created in the ${describeDatabase(database)}.` : "The demo consortium is already there.");
    printDemoSignIns();
  }
} finally {
  await database.close();
}
