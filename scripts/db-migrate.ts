import { runMigrations } from "@/db/migrate";
import { describeDatabase, openCliDatabase } from "./cli-database";

const database = await openCliDatabase();
try {
  await runMigrations(database);
  console.log(`Migrations applied to the ${describeDatabase(database)}.`);
} finally {
  await database.close();
}
