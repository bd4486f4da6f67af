// Once per integration run and database (vitest globalSetup): the PostgreSQL the test files use,
// and in it a migrated TEMPLATE database from which tests/helpers/database.ts copies a fresh
// database per file, so that no file pays for the migrations. On the embedded server (started
// here, in .data/test, and stopped at the end) by default; on the server at TEST_DATABASE_URL in
// the project integration-server.
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openDatabase } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { ensureEmbedded } from "@/scripts/embedded-postgres";

declare module "vitest" {
  export interface ProvidedContext {
    /** The URL of the migrated template database of this run. */
    templateDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const onServer = project.name.endsWith("-server");
  const embedded = onServer ? null : await ensureEmbedded({ base: path.resolve(".data/test") });
  const serverUrl = onServer ? process.env.TEST_DATABASE_URL : embedded!.urlOf("postgres");
  if (!serverUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = `mosaic_template_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const template = openDatabase({ url: url.toString() });
  try {
    await runMigrations(template);
  } finally {
    await template.close();
  }
  // Only a template can be copied while others copy it too.
  await admin.unsafe(`alter database ${name} is_template true`);
  project.provide("templateDatabaseUrl", url.toString());
  return async () => {
    await admin.unsafe(`alter database ${name} is_template false`);
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
    await embedded?.stop();
  };
}
