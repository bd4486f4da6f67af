// A fresh, migrated database for each test file: an in-memory PGlite, or a new database on the
// PostgreSQL server at TEST_DATABASE_URL that is dropped afterwards. Never a mock.
import { afterAll, beforeAll } from "vitest";
import postgres from "postgres";
import { openDatabase, useDatabase, type Database } from "@/db/client";
import { runMigrations } from "@/db/migrate";

export const testDbKind = (process.env.MOSAIC_TEST_DB ?? "pglite") as "pglite" | "postgres";

let database: Database | undefined;
let databaseUrl: string | undefined;
let dropDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  if (testDbKind === "postgres") {
    const serverUrl = process.env.TEST_DATABASE_URL;
    if (!serverUrl) throw new Error("TEST_DATABASE_URL is not set");
    const name = `mosaic_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    database = openDatabase({ url: databaseUrl });
    dropDatabase = async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  } else {
    database = openDatabase({ pgliteDir: null });
  }
  await runMigrations(database);
  useDatabase(database);
});

afterAll(async () => {
  await database?.close();
  await dropDatabase?.();
});

/** The database of this test file. */
export function testDatabase(): Database {
  if (!database) throw new Error("the test database is not open yet");
  return database;
}

/** The URL of this test file's database on the PostgreSQL server (for what opens its own connections). */
export function testDatabaseUrl(): string {
  if (!databaseUrl) throw new Error("this test file's database is not on the PostgreSQL server");
  return databaseUrl;
}
