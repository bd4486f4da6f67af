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

/**
 * An access event as the PACS sends it: a radiologist of one trust viewing an MR of another for an
 * MDT under a policy. `overrides` replaces whole top-level fields.
 */
export function accessEventBody(who: { user: string; actorTrust: string; sourceTrust: string }, overrides: Record<string, unknown> = {}) {
  return {
    eventId: crypto.randomUUID(),
    occurredAt: "2026-05-01T10:30:00+01:00",
    action: "study.view",
    outcome: "success",
    actor: { user: who.user, trust: who.actorTrust, role: "radiologist" },
    patient: { nhsNumber: "9990000018" },
    study: { studyInstanceUid: "1.2.826.0.1.3680043.8.498.1", accessionNumber: "RNZ123456", sourceTrust: who.sourceTrust, modality: "MR" },
    purpose: "mdt",
    policy: { id: "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b", version: 2 },
    breakGlassJustification: null,
    source: { ip: "10.20.30.40", workstation: "QAH-RAD-07" },
    ...overrides,
  };
}
