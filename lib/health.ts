import "server-only";
import { sql } from "drizzle-orm";
import { getDatabase, rowsOf } from "@/db/client";

/** Is the database answering, and has it been migrated? */
export async function checkHealth(): Promise<{ ok: boolean; database: { kind: string; ok: boolean; migrated: boolean; error?: string } }> {
  const database = getDatabase();
  try {
    const rows = rowsOf<{ migrated: boolean }>(await database.db.execute(sql`select to_regclass('public.trusts') is not null as migrated`));
    const migrated = Boolean(rows[0]?.migrated);
    return { ok: migrated, database: { kind: database.kind, ok: true, migrated } };
  } catch {
    return { ok: false, database: { kind: database.kind, ok: false, migrated: false, error: "The database does not answer." } };
  }
}
