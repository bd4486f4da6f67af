import "server-only";
import { asc, desc, inArray } from "drizzle-orm";
import { apiClients, apiKeys, trusts } from "@/db/schema";
import { can, trustsWhere, type Ctx } from "@/lib/auth/context";
import { withTenant } from "@/lib/db/scope";

export type ApiClientView = {
  id: string;
  name: string;
  trust: { id: string; odsCode: string; name: string } | null;
  scopes: string[];
  status: string;
  createdAt: Date;
  revokedAt: Date | null;
  revokeReason: string | null;
  keys: { id: string; prefix: string; createdAt: Date; expiresAt: Date | null; revokedAt: Date | null; lastUsedAt: Date | null }[];
};

/** The API clients the caller may manage, with their keys' prefixes and use (never their hashes). */
export async function listApiClients(ctx: Ctx): Promise<ApiClientView[]> {
  const scope = trustsWhere(ctx, "api_clients.manage");
  if (!scope.all && scope.trustIds.length === 0) return [];
  return withTenant(ctx, async (tx) => {
    const clients = await tx
      .select({
        id: apiClients.id,
        name: apiClients.name,
        trustId: apiClients.trustId,
        scopes: apiClients.scopes,
        status: apiClients.status,
        createdAt: apiClients.createdAt,
        revokedAt: apiClients.revokedAt,
        revokeReason: apiClients.revokeReason,
      })
      .from(apiClients)
      .orderBy(asc(apiClients.name));
    const mine = clients.filter((c) => can(ctx, "api_clients.manage", c.trustId));
    if (mine.length === 0) return [];
    const keys = await tx
      .select({
        id: apiKeys.id,
        clientId: apiKeys.clientId,
        prefix: apiKeys.prefix,
        createdAt: apiKeys.createdAt,
        expiresAt: apiKeys.expiresAt,
        revokedAt: apiKeys.revokedAt,
        lastUsedAt: apiKeys.lastUsedAt,
      })
      .from(apiKeys)
      .where(inArray(apiKeys.clientId, mine.map((c) => c.id)))
      .orderBy(desc(apiKeys.createdAt));
    const trustIds = [...new Set(mine.flatMap((c) => (c.trustId ? [c.trustId] : [])))];
    const trustRows = trustIds.length ? await tx.select({ id: trusts.id, odsCode: trusts.odsCode, name: trusts.name }).from(trusts).where(inArray(trusts.id, trustIds)) : [];
    const byId = new Map(trustRows.map((t) => [t.id, t]));
    return mine.map(({ trustId, ...c }) => ({
      ...c,
      trust: trustId ? (byId.get(trustId) ?? null) : null,
      keys: keys.filter((k) => k.clientId === c.id).map(({ clientId: _clientId, ...k }) => k),
    }));
  });
}

/** Who may own a new client: the consortium (for consortium-wide managers) and the caller's trusts. */
export async function apiClientOwners(ctx: Ctx): Promise<{ value: string; label: string }[]> {
  const scope = trustsWhere(ctx, "api_clients.manage");
  if (!scope.all && scope.trustIds.length === 0) return [];
  return withTenant(ctx, async (tx) => {
    const rows = await tx
      .select({ id: trusts.id, odsCode: trusts.odsCode, name: trusts.name })
      .from(trusts)
      .where(scope.all ? undefined : inArray(trusts.id, scope.trustIds))
      .orderBy(asc(trusts.name));
    return [
      ...(scope.all ? [{ value: "consortium", label: "The consortium (all trusts)" }] : []),
      ...rows.map((t) => ({ value: t.odsCode, label: `${t.name} (${t.odsCode})` })),
    ];
  });
}
