import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, auditEvents } from "@/db/schema";
import { GET as me } from "@/app/api/v1/me/route";
import { GET as openapi } from "@/app/api/v1/openapi.json/route";
import { authenticateApiKey } from "@/lib/api/auth";
import { createApiClient, revokeApiClient, revokeApiKey, rotateApiKey } from "@/lib/api-clients/commands";
import { listApiClients } from "@/lib/api-clients/queries";
import { AppError } from "@/lib/errors";
import { testDatabase } from "../helpers/database";
import { makeTrust, makeUser, ownerQuery } from "../helpers/factories";

const admin = () => makeUser([{ role: "consortium_admin", trustId: null }], { homeTrustId: null });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return error instanceof AppError ? error.code : String(error);
  }
}

describe("API clients", () => {
  it("are created with a key shown once and stored only as a hash, and audited", async () => {
    const ctx = await admin();
    const trust = await makeTrust();
    const result = await createApiClient(ctx, { name: "Portsmouth PACS", owner: trust.odsCode.toLowerCase(), scopes: ["audit:write", "exams:write", "audit:write"] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.data.key).toMatch(/^mosaic_[a-z2-7]{10}_[A-Za-z0-9_-]{43}$/);
    const stored = await ownerQuery<{ key_hash: string }>(sql`select key_hash from api_keys where prefix = ${result.data.prefix}`);
    expect(stored[0]?.key_hash).toMatch(/^[0-9a-f]{64}$/);
    const everything = JSON.stringify(await ownerQuery(sql`select * from api_keys`)) + JSON.stringify(await ownerQuery(sql`select details from audit_events`));
    expect(everything).not.toContain(result.data.key);

    const caller = await authenticateApiKey(`Bearer ${result.data.key}`, "exams:write");
    expect(caller).toMatchObject({ name: "Portsmouth PACS", trustId: trust.id, scopes: ["audit:write", "exams:write"] });
    const [event] = await testDatabase().db.select().from(auditEvents).where(eq(auditEvents.targetId, result.data.clientId));
    expect(event).toMatchObject({ action: "api_client.create", sourceTrustId: trust.id, actorUserId: ctx.userId });
  });

  it("refuse missing, malformed, unknown and wrong-scope keys", async () => {
    const ctx = await admin();
    const created = await createApiClient(ctx, { name: "Decision client", owner: "consortium", scopes: ["decisions:read"] });
    if (!created.ok) throw new Error("create failed");
    const key = created.data.key;
    expect(await codeOf(authenticateApiKey(null, "decisions:read"))).toBe("UNAUTHENTICATED");
    expect(await codeOf(authenticateApiKey("Basic abc", "decisions:read"))).toBe("UNAUTHENTICATED");
    expect(await codeOf(authenticateApiKey("Bearer mosaic_short", "decisions:read"))).toBe("UNAUTHENTICATED");
    expect(await codeOf(authenticateApiKey(`Bearer ${key.slice(0, -1)}${key.endsWith("A") ? "B" : "A"}`, "decisions:read"))).toBe("UNAUTHENTICATED");
    expect(await codeOf(authenticateApiKey(`Bearer ${key}`, "audit:write"))).toBe("FORBIDDEN");
    expect(await codeOf(authenticateApiKey(`Bearer ${key}`, "decisions:read"))).toBe("ok");
  });

  it("rotate with a grace period, and revoke keys and clients at once", async () => {
    const ctx = await admin();
    const created = await createApiClient(ctx, { name: "Rotating client", owner: "consortium", scopes: ["storage:write"] });
    if (!created.ok) throw new Error("create failed");
    const oldKey = created.data.key;
    const rotated = await rotateApiKey(ctx, created.data.clientId, { graceHours: "24" });
    if (!rotated.ok) throw new Error("rotate failed");
    expect(await codeOf(authenticateApiKey(`Bearer ${oldKey}`, "storage:write"))).toBe("ok");
    expect(await codeOf(authenticateApiKey(`Bearer ${rotated.data.key}`, "storage:write"))).toBe("ok");
    // After the grace period the old key stops.
    await ownerQuery(sql`update api_keys set expires_at = now() - interval '1 second' where prefix = ${created.data.prefix}`);
    expect(await codeOf(authenticateApiKey(`Bearer ${oldKey}`, "storage:write"))).toBe("UNAUTHENTICATED");

    const [newKeyRow] = await testDatabase().db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.prefix, rotated.data.prefix));
    expect(await revokeApiKey(ctx, created.data.clientId, newKeyRow!.id, { reason: "x" })).toMatchObject({ ok: false, error: { fieldErrors: { reason: [expect.any(String)] } } });
    expect(await revokeApiKey(ctx, created.data.clientId, newKeyRow!.id, { reason: "Leaked in a ticket" })).toMatchObject({ ok: true });
    expect(await codeOf(authenticateApiKey(`Bearer ${rotated.data.key}`, "storage:write"))).toBe("UNAUTHENTICATED");

    const third = await rotateApiKey(ctx, created.data.clientId, { graceHours: 0 });
    if (!third.ok) throw new Error("rotate failed");
    expect(await revokeApiClient(ctx, created.data.clientId, { reason: "PACS decommissioned" })).toMatchObject({ ok: true });
    expect(await codeOf(authenticateApiKey(`Bearer ${third.data.key}`, "storage:write"))).toBe("UNAUTHENTICATED");
    expect(await rotateApiKey(ctx, created.data.clientId, { graceHours: 0 })).toMatchObject({ ok: false, error: { code: "CONFLICT" } });

    const actions = (await testDatabase().db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.targetId, created.data.clientId)).orderBy(auditEvents.seq)).map((e) => e.action);
    expect(actions).toEqual(["api_client.create", "api_key.rotate", "api_key.revoke", "api_key.rotate", "api_client.revoke"]);
  });

  it.each([
    [{ name: "", owner: "consortium", scopes: ["audit:write"] }, "name"],
    [{ name: "No scopes", owner: "consortium", scopes: [] }, "scopes"],
    [{ name: "Bad scope", owner: "consortium", scopes: ["admin:all"] }, "scopes.0"],
    [{ name: "Unknown owner", owner: "ZZZ9", scopes: ["audit:write"] }, "owner"],
  ])("name the bad field of %j", async (input, field) => {
    const result = await createApiClient(await admin(), input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.error.fieldErrors ?? {})).toContain(field);
  });

  it("are out of reach of portal roles without the permission, as not found", async () => {
    const ctx = await admin();
    const trust = await makeTrust();
    const created = await createApiClient(ctx, { name: "Trust client", owner: trust.odsCode, scopes: ["audit:write"] });
    if (!created.ok) throw new Error("create failed");
    for (const role of ["pacs_manager", "ig_officer", "cio"]) {
      const user = await makeUser([{ role, trustId: trust.id }]);
      expect(await listApiClients(user)).toEqual([]);
      expect(await revokeApiClient(user, created.data.clientId, { reason: "Not mine to revoke" })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
      expect(await createApiClient(user, { name: "Sneaky client", owner: trust.odsCode, scopes: ["audit:write"] })).toMatchObject({ ok: false, error: { code: "VALIDATION" } });
    }
  });
});

describe("the machine API", () => {
  it("answers GET /api/v1/me for a valid key and 401 with an error body otherwise", async () => {
    const created = await createApiClient(await admin(), { name: "Who am I", owner: "consortium", scopes: ["decisions:read"] });
    if (!created.ok) throw new Error("create failed");
    const ok = await me(new Request("http://test/api/v1/me", { headers: { authorization: `Bearer ${created.data.key}` } }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ client: { id: created.data.clientId, name: "Who am I", trust: null, scopes: ["decisions:read"] } });
    const bad = await me(new Request("http://test/api/v1/me"));
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: { code: "UNAUTHENTICATED", message: expect.any(String) } });
  });

  it("is described as OpenAPI 3.1", async () => {
    const doc = (await openapi().json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/api/v1/me");
  });
});
