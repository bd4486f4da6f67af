import "server-only";
import { sql } from "drizzle-orm";
import { getDatabase, rowsOf, type Tx } from "@/db/client";
import { scopeOf, type Ctx } from "@/lib/auth/context";

export type { Tx };

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function inScope<T>(
  scope: { userId: string; all: boolean; trustIds: string[] },
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  // Ids come from our own tables, but a malformed one must never reach the array literal.
  const ids = scope.trustIds.filter((id) => uuidPattern.test(id));
  return getDatabase().db.transaction(async (tx) => {
    // Switch to the non-owner role first: from here on row-level security applies to every query,
    // and set_config(..., true) confines the scope to this transaction.
    await tx.execute(sql`select set_config('role', 'mosaic_app', true),
      set_config('mosaic.user_id', ${scope.userId}, true),
      set_config('mosaic.trust_ids', ${`{${ids.join(",")}}`}, true),
      set_config('mosaic.scope_all', ${scope.all ? "on" : "off"}, true)`);
    return fn(tx);
  });
}

/**
 * Runs `fn` in one transaction as the application role, scoped to the caller's trusts. Every query
 * of tenant data goes through here; row-level security hides other trusts' rows even if a query
 * forgets its trust filter.
 */
export function withTenant<T>(ctx: Ctx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return inScope({ userId: ctx.userId, ...scopeOf(ctx) }, fn);
}

/**
 * Runs `fn` with consortium-wide scope, for work that has no signed-in caller yet: checking a
 * sign-in, loading a session, machine ingest after its API key was checked. Keep its callers few.
 */
export function withSystem<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  return inScope({ userId: "", all: true, trustIds: [] }, fn);
}

/**
 * Inside a tenant transaction, runs `fn` with consortium-wide row-level-security scope, then puts
 * the caller's scope back. Only for a step whose permission lib/ has already checked and which by
 * its nature reaches past the caller's trusts: a leaver's roles and sessions at every trust, the
 * roles of a person the caller may see, an exact-email lookup before a cross-trust grant. If `fn`
 * throws, the transaction fails as a whole, so the widened scope never outlives it.
 */
export async function withSystemScopeWithin<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  const [prior] = rowsOf<{ v: string | null }>(await tx.execute(sql`select current_setting('mosaic.scope_all', true) as v`));
  await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
  const result = await fn();
  await tx.execute(sql`select set_config('mosaic.scope_all', ${prior?.v === "on" ? "on" : "off"}, true)`);
  return result;
}
