// A fresh, migrated database for each test file, on the embedded PostgreSQL (or the server at
// TEST_DATABASE_URL in the project integration-server): a copy of the run's migrated template
// (tests/helpers/global-database.ts), dropped afterwards. Never a mock.
import { afterAll, beforeAll, inject } from "vitest";
import postgres from "postgres";
import { openDatabase, useDatabase, type Database } from "@/db/client";

/** Which PostgreSQL this file runs on: the embedded one (18) or the server at TEST_DATABASE_URL. */
export const testDbKind = (process.env.MOSAIC_TEST_DB ?? "embedded") as "embedded" | "server";

let database: Database | undefined;
let databaseUrl: string | undefined;
let dropDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const template = new URL(inject("templateDatabaseUrl"));
  const templateName = template.pathname.slice(1);
  const name = `mosaic_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const serverUrl = new URL(template);
  serverUrl.pathname = "/postgres";
  const admin = postgres(serverUrl.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name} template ${templateName}`);
  const url = new URL(template);
  url.pathname = `/${name}`;
  databaseUrl = url.toString();
  database = openDatabase({ url: databaseUrl, kind: testDbKind === "embedded" ? "embedded" : "server" });
  dropDatabase = async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
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

/** The URL of this test file's database (for what opens its own connections). */
export function testDatabaseUrl(): string {
  if (!databaseUrl) throw new Error("the test database is not open yet");
  return databaseUrl;
}
