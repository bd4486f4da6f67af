import { createApiClient } from "@/lib/api-clients/commands";
import type { ApiScope } from "@/lib/api-clients/schemas";
import { makeUser } from "./factories";

/** A real API key with these scopes, for the consortium or one trust (by ODS code). */
export async function makeApiKey(scopes: ApiScope[], owner = "consortium"): Promise<string> {
  const admin = await makeUser([{ role: "consortium_admin", trustId: null }], { homeTrustId: null });
  const created = await createApiClient(admin, { name: `Test client ${Math.random().toString(36).slice(2)}`, owner, scopes });
  if (!created.ok) throw new Error(`could not make an API key: ${created.error.message}`);
  return created.data.key;
}

/** A JSON POST with a bearer key, as a machine client sends it. */
export function postJson(url: string, key: string | null, body: unknown): Request {
  return new Request(`http://test${url}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
