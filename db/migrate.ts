import "server-only";
import path from "node:path";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type { Database } from "./client";

const migrationsFolder = path.resolve(process.cwd(), "db/migrations");

/** Applies every committed migration that the database has not seen yet. */
export async function runMigrations(database: Database): Promise<void> {
  await migrate(database.db as unknown as PostgresJsDatabase, { migrationsFolder });
}
