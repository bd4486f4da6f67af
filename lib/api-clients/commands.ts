import "server-only";
import { and, eq, gt, isNull, or } from "drizzle-orm";
import { z } from "zod";
import { apiClients, apiKeys, trusts } from "@/db/schema";
import { can, type Ctx } from "@/lib/auth/context";
import { defineMutation } from "@/lib/mutation";
import type { Tx } from "@/lib/db/scope";
import { AppError, notFound } from "@/lib/errors";
import { forgetCachedApiKeys } from "./key-cache";
import { generateApiKey } from "./keys";
import { apiClientInput, revokeInput, rotateInput } from "./schemas";

const clientParams = z.object({ clientId: z.uuid() });
const keyParams = clientParams.extend({ keyId: z.uuid() });

async function manageableClient(tx: Tx, ctx: Ctx, { params }: { params: { clientId: string } }) {
  const [client] = await tx
    .select({ id: apiClients.id, name: apiClients.name, trustId: apiClients.trustId, status: apiClients.status })
    .from(apiClients)
    .where(eq(apiClients.id, params.clientId));
  // A client the caller may not manage is "not found", exactly as a missing one.
  if (!client || !can(ctx, "api_clients.manage", client.trustId)) throw notFound("No such API client.");
  return { trustId: client.trustId, client };
}

const ownerRefused = (message: string) => new AppError("VALIDATION", "Choose who the client belongs to.", { fieldErrors: { owner: [message] } });

const createApiClientMutation = defineMutation({
  name: "api_clients.create",
  permission: "api_clients.manage",
  input: apiClientInput,
  audit: ["api_client.create"],
  locate: async (tx, ctx, { data }) => {
    if (data.owner === "consortium") {
      if (!can(ctx, "api_clients.manage", null)) throw ownerRefused("Only a consortium administrator can create a consortium client.");
      return { trustId: null };
    }
    const [trust] = await tx.select({ id: trusts.id }).from(trusts).where(eq(trusts.odsCode, data.owner.toUpperCase()));
    if (!trust || !can(ctx, "api_clients.manage", trust.id)) throw ownerRefused("Choose one of the listed owners.");
    return { trustId: trust.id };
  },
  run: async ({ tx, ctx, data, trustId, audit }) => {
    const [client] = await tx
      .insert(apiClients)
      .values({ name: data.name, trustId, scopes: data.scopes, createdBy: ctx.userId })
      .returning({ id: apiClients.id });
    if (!client) throw new Error("insert returned no row");
    const key = generateApiKey();
    await tx.insert(apiKeys).values({ clientId: client.id, trustId, prefix: key.prefix, keyHash: key.hash, createdBy: ctx.userId });
    await audit({
      action: "api_client.create",
      target: { type: "api_client", id: client.id },
      details: { after: { name: data.name, owner: data.owner, scopes: data.scopes, keyPrefix: key.prefix } },
    });
    return { clientId: client.id, key: key.key, prefix: key.prefix };
  },
});

/** Creates a machine client with its first key. The key is returned here once and never again. */
export const createApiClient = (ctx: Ctx, input: unknown) => createApiClientMutation(ctx, {}, input);

const rotateApiKeyMutation = defineMutation({
  name: "api_keys.rotate",
  permission: "api_clients.manage",
  params: clientParams,
  missing: "No such API client.",
  input: rotateInput,
  audit: ["api_key.rotate"],
  locate: manageableClient,
  run: async ({ tx, ctx, data, found: { client }, audit }) => {
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
    await audit({ action: "api_key.rotate", target: { type: "api_client", id: client.id }, details: { newKeyPrefix: key.prefix, oldKeysExpireAt: until.toISOString() } });
    return { clientId: client.id, key: key.key, prefix: key.prefix };
  },
});

/** Issues a new key; the client's other live keys stop working after the grace period. */
export const rotateApiKey = (ctx: Ctx, clientId: string, input: unknown) => rotateApiKeyMutation(ctx, { clientId }, input);

const revokeApiKeyMutation = defineMutation({
  name: "api_keys.revoke",
  permission: "api_clients.manage",
  params: keyParams,
  missing: "No such API client.",
  input: revokeInput,
  audit: ["api_key.revoke"],
  locate: manageableClient,
  run: async ({ tx, data, params: { keyId }, found: { client }, audit }) => {
    const [key] = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.clientId, client.id), isNull(apiKeys.revokedAt)))
      .returning({ prefix: apiKeys.prefix });
    if (!key) throw notFound("No such live key.");
    forgetCachedApiKeys();
    await audit({ action: "api_key.revoke", target: { type: "api_client", id: client.id }, details: { keyPrefix: key.prefix, reason: data.reason } });
    return { clientId: client.id };
  },
});

/** Revokes one key at once. */
export const revokeApiKey = (ctx: Ctx, clientId: string, keyId: string, input: unknown) => revokeApiKeyMutation(ctx, { clientId, keyId }, input);

const revokeApiClientMutation = defineMutation({
  name: "api_clients.revoke",
  permission: "api_clients.manage",
  params: clientParams,
  missing: "No such API client.",
  input: revokeInput,
  audit: ["api_client.revoke"],
  locate: manageableClient,
  run: async ({ tx, data, found: { client }, audit }) => {
    if (client.status === "revoked") throw new AppError("CONFLICT", "This client is already revoked.");
    const now = new Date();
    await tx.update(apiClients).set({ status: "revoked", revokedAt: now, revokeReason: data.reason }).where(eq(apiClients.id, client.id));
    await tx.update(apiKeys).set({ revokedAt: now }).where(and(eq(apiKeys.clientId, client.id), isNull(apiKeys.revokedAt)));
    forgetCachedApiKeys();
    await audit({
      action: "api_client.revoke",
      target: { type: "api_client", id: client.id },
      details: { before: { status: "active" }, after: { status: "revoked" }, reason: data.reason },
    });
    return { clientId: client.id };
  },
});

/** Revokes a client and every key it has. */
export const revokeApiClient = (ctx: Ctx, clientId: string, input: unknown) => revokeApiClientMutation(ctx, { clientId }, input);
