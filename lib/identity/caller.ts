import "server-only";
import { cache } from "react";
import type { Ctx } from "@/lib/auth/context";
import { roleLabels, type Role } from "@/lib/vocabulary";
import { referenceCache, type ReferenceData } from "@/lib/trust-directory";

type CallerRole = { role: string; label: string; scope: string; trustOds: string | null };
export type CallerDescription = { consortiumName: string; summary: string; roles: CallerRole[] };

/** The caller's roles in words, from the consortium's reference data (pure: no database). */
export function describeCallerWith(ctx: Pick<Ctx, "roles">, reference: Pick<ReferenceData, "consortiumName" | "byId">): CallerDescription {
  const roles = ctx.roles.map((r) => {
    const trust = r.trustId ? reference.byId.get(r.trustId) : undefined;
    return {
      role: r.role,
      label: roleLabels[r.role as Role] ?? r.role,
      scope: r.trustId ? (trust ? `${trust.name} (${trust.odsCode})` : "a trust") : "Whole consortium",
      trustOds: trust?.odsCode ?? null,
    };
  });
  const summary = roles.length === 0 ? "No portal role" : roles.map((r) => `${r.label}, ${r.trustOds ?? "consortium"}`).join(" · ");
  return { consortiumName: reference.consortiumName, summary, roles };
}

/**
 * The signed-in person's roles and trusts in words, for the header and the overview. The trust
 * names and the consortium's come from the process-wide reference cache (checked against the
 * database at most once a second, as the policy cache is), so the header of every page costs no
 * query; cached for the request as well, since the layout and the overview page both ask.
 */
export const describeCaller = cache(async (ctx: Ctx): Promise<CallerDescription> => describeCallerWith(ctx, await referenceCache.get()));
