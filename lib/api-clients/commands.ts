import "server-only";
import { and, eq, gt, isNull, or } from "drizzle-orm";
import { apiClients, apiKeys, trusts } from "@/db/schema";
import { can, roleFor, type Ctx } from "@/lib/auth/context";
import { actorOf, recordAuditEvent } from "@/lib/audit/record";
import { mutation } from "@/lib/db/mutation";
import type { Tx } from "@/lib/db/scope";
import { AppError, notFound } from "@/lib/errors";
import { forgetCachedApiKeys } from "./key-cache";
import { generateApiKey } from "./keys";
import { apiClientInput, revokeInput, rotateInput } from "./schemas";

async function manageableClient(tx: Tx, ctx: Ctx, clientId: string) {
  const [client] = await tx
    .select({ id: apiClients.id, name: apiClients.name, trustId: apiClients.trustId, status: apiClients.status })
    .from(apiClients)
    .where(eq(apiClients.id, clientId));
  // A client the caller may not manage is "not found", exactly as a missing one.
  if (!client || !can(ctx, "api_clients.manage", client.trustId)) throw notFound("No such API client.");
  return client;
}

const audit = (tx: Tx, ctx: Ctx, trustId: string | null, action: string, clientId: string, details: Record<string, unknown>) =>
  recordAuditEvent(tx, {
    action,
    actor: actorOf(ctx, roleFor(ctx, "api_clients.manage", trustId)),
    sourceTrustId: trustId,
    target: { type: "api_client", id: clientId },
    details,
    client: ctx.client,
  });

/** Creates a machine client with its first key. The key is returned here once and never again. */
export function createApiClient(ctx: Ctx, input: unknown) {
  return mutation(ctx, apiClientInput, input, async (tx, data) => {
    let trustId: string | null = null;
    if (data.owner !== "consortium") {
      const [trust] = await tx.select({ id: trusts.id }).from(trusts).where(eq(trusts.odsCode, data.owner.toUpperCase()));
      if (!trust || !can(ctx, "api_clients.manage", trust.id)) {
        throw new AppError("VALIDATION", "Choose who the client belongs to.", { fieldErrors: { owner: ["Choose one of the listed owners."] } });
      }
      trustId = trust.id;
    } else if (!can(ctx, "api_clients.manage", null)) {
      throw new AppError("VALIDATION", "Choose who the client belongs to.", { fieldErrors: { owner: ["Only a consortium administrator can create a consortium client."] } });
    }
    const [client] = await tx
      .insert(apiClients)
      .values({ name: data.name, trustId, scopes: data.scopes, createdBy: ctx.userId })
      .returning({ id: apiClients.id });
    if (!client) throw new Error("insert returned no row");
    const key = generateApiKey();
    await tx.insert(apiKeys).values({ clientId: client.id, trustId, prefix: key.prefix, keyHash: key.hash, createdBy: ctx.userId });
    await audit(tx, ctx, trustId, "api_client.create", client.id, { after: { name: data.name, owner: data.owner, scopes: data.scopes, keyPrefix: key.prefix } });
    return { clientId: client.id, key: key.key, prefix: key.prefix };
  });
}

/** Issues a new key; the client's other live keys stop working after the grace period. */
export function rotateApiKey(ctx: Ctx, clientId: string, input: unknown) {
  return mutation(ctx, rotateInput, input, async (tx, data) => {
    const client = await manageableClient(tx, ctx, clientId);
    if (client.status !== "active") throw new AppError("CONFLICT", "This client is revoked; create a new one instead.");
    const now = new Date();
    const until = new Date(now.getTime() + data.graceHours * 3_600_000);
    // Only shorten: a key already due to expire sooner keeps its earlier expiry.
    await tx
      .update(apiKeys)
      .set({ expiresAt: until })
      .where(and(eq(apiKeys.clientId, client.id), isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, until))));
    const key = generateApiKey();
    await tx.insert(apiKeys).values({ clientId: client.id, trustId: client.trustId, prefix: key.prefix, keyHash: key.hash, createdBy: ctx.userId });
    forgetCachedApiKeys();
    await audit(tx, ctx, client.trustId, "api_key.rotate", client.id, { newKeyPrefix: key.prefix, oldKeysExpireAt: until.toISOString() });
    return { clientId: client.id, key: key.key, prefix: key.prefix };
  });
}

/** Revokes one key at once. */
export function revokeApiKey(ctx: Ctx, clientId: string, keyId: string, input: unknown) {
  return mutation(ctx, revokeInput, input, async (tx, data) => {
    const client = await manageableClient(tx, ctx, clientId);
    const [key] = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.clientId, client.id), isNull(apiKeys.revokedAt)))
      .returning({ prefix: apiKeys.prefix });
    if (!key) throw notFound("No such live key.");
    forgetCachedApiKeys();
    await audit(tx, ctx, client.trustId, "api_key.revoke", client.id, { keyPrefix: key.prefix, reason: data.reason });
    return { clientId: client.id };
  });
}

/** Revokes a client and every key it has. */
export function revokeApiClient(ctx: Ctx, clientId: string, input: unknown) {
  return mutation(ctx, revokeInput, input, async (tx, data) => {
    const client = await manageableClient(tx, ctx, clientId);
    if (client.status === "revoked") throw new AppError("CONFLICT", "This client is already revoked.");
    const now = new Date();
    await tx.update(apiClients).set({ status: "revoked", revokedAt: now, revokeReason: data.reason }).where(eq(apiClients.id, client.id));
    await tx.update(apiKeys).set({ revokedAt: now }).where(and(eq(apiKeys.clientId, client.id), isNull(apiKeys.revokedAt)));
    forgetCachedApiKeys();
    await audit(tx, ctx, client.trustId, "api_client.revoke", client.id, { before: { status: "active" }, after: { status: "revoked" }, reason: data.reason });
    return { clientId: client.id };
  });
}
