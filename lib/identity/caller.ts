import "server-only";
import { cache } from "react";
import { inArray } from "drizzle-orm";
import { consortium, trusts } from "@/db/schema";
import type { Ctx } from "@/lib/auth/context";
import { roleLabels, type Role } from "@/lib/vocabulary";
import { withTenant } from "@/lib/db/scope";

export type CallerRole = { role: string; label: string; scope: string; trustOds: string | null };

async function loadCallerDescription(ctx: Ctx): Promise<{ consortiumName: string; summary: string; roles: CallerRole[] }> {
  return withTenant(ctx, async (tx) => {
    const ids = [...new Set(ctx.roles.flatMap((r) => (r.trustId ? [r.trustId] : [])).concat(ctx.homeTrustId ? [ctx.homeTrustId] : []))];
    // Both asked at once (pipelined on the transaction's connection): this runs on every page.
    const [[c], named] = await Promise.all([
      tx.select({ name: consortium.name }).from(consortium).limit(1),
      ids.length ? tx.select({ id: trusts.id, odsCode: trusts.odsCode, name: trusts.name }).from(trusts).where(inArray(trusts.id, ids)) : Promise.resolve([]),
    ]);
    const byId = new Map(named.map((t) => [t.id, t]));
    const roles = ctx.roles.map((r) => {
      const trust = r.trustId ? byId.get(r.trustId) : undefined;
      return {
        role: r.role,
        label: roleLabels[r.role as Role] ?? r.role,
        scope: r.trustId ? (trust ? `${trust.name} (${trust.odsCode})` : "a trust") : "Whole consortium",
        trustOds: trust?.odsCode ?? null,
      };
    });
    const summary =
      roles.length === 0
        ? "No portal role"
        : roles.map((r) => `${r.label}, ${r.trustOds ?? "consortium"}`).join(" · ");
    return { consortiumName: c?.name ?? "Consortium", summary, roles };
  });
}

/**
 * The signed-in person's roles and trusts in words, for the header and the overview. Cached for the
 * request: the layout and the overview page both ask, with the same context object.
 */
export const describeCaller = cache(loadCallerDescription);
