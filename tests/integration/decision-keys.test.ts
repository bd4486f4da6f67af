// The access-decision route takes its API key from this instance's cache of verified keys, and
// its audit batch confirms the key in the transaction that writes the decisions' events. A key
// revoked, rotated out or expired, whether through this instance (which empties its cache) or
// through another (a commit this instance's memory never heard of: here, a write straight to the
// database), is refused (401, no decision, no event) from the moment the change commits.
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/access-decisions/route";
import { createApiClient, revokeApiKey, rotateApiKey } from "@/lib/api-clients/commands";
import { apiKeyCache } from "@/lib/api-clients/key-cache";
import { hashApiKey } from "@/lib/api-clients/keys";
import type { Ctx } from "@/lib/auth/context";
import { testDatabaseUrl } from "../helpers/database";
import { ownerQuery, type TestTrust } from "../helpers/factories";
import { makeMrSharing } from "../helpers/sharing";

let source: TestTrust, target: TestTrust;
let radiologist: Ctx, admin: Ctx;

beforeAll(async () => {
  ({ source, target, radiologist, admin } = await makeMrSharing());
});

async function newKey(): Promise<{ key: string; clientId: string; prefix: string }> {
  const client = await createApiClient(admin, { name: `PACS ${crypto.randomUUID()}`, owner: "consortium", scopes: ["decisions:read"] });
  if (!client.ok) throw new Error(JSON.stringify(client.error));
  return { key: client.data.key, clientId: client.data.clientId, prefix: client.data.prefix };
}

const question = {
  requester: { user: "", trust: "" },
  study: { sourceTrust: "", modality: "MR", studyDate: "2024-05-01", studyInstanceUid: "1.2.826.0.1.3680043.8.498.7", patientNhsNumber: "9990000018" },
  purpose: "mdt",
  patientEpisodeTrusts: [] as string[],
  breakGlassJustification: null,
};

/** Asks for one decision with `key`; the status, and how many events of this request were committed. */
async function ask(key: string): Promise<{ status: number; code: string | null; events: number }> {
  const requestId = crypto.randomUUID();
  const body = {
    ...question,
    requester: { user: radiologist.email, trust: target.odsCode },
    study: { ...question.study, sourceTrust: source.odsCode },
    patientEpisodeTrusts: [target.odsCode, source.odsCode],
  };
  const res = await POST(
    new Request("http://mosaic.test/api/v1/access-decisions", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}`, "x-request-id": requestId },
      body: JSON.stringify(body),
    }),
  );
  const json = (await res.json()) as { decision?: string; error?: { code: string } };
  if (res.status === 200) expect(json.decision).toBe("permit");
  const [row] = await ownerQuery<{ n: number }>(sql`select count(*)::int as n from audit_events where action = 'access.decision' and details->>'requestId' = ${requestId}`);
  return { status: res.status, code: json.error?.code ?? null, events: row?.n ?? 0 };
}

const cached = (key: string) => apiKeyCache.get(hashApiKey(key)) !== undefined;

describe("the access-decision route's cached API keys", () => {
  it("are looked up once, then answered from the cache", async () => {
    const { key } = await newKey();
    expect(cached(key)).toBe(false);
    expect(await ask(key)).toEqual({ status: 200, code: null, events: 1 });
    expect(cached(key)).toBe(true);
    expect(await ask(key)).toEqual({ status: 200, code: null, events: 1 });
  });

  it("stop working at once when revoked through this instance", async () => {
    const { key, clientId, prefix } = await newKey();
    expect((await ask(key)).status).toBe(200);
    const [row] = await ownerQuery<{ id: string }>(sql`select id from api_keys where prefix = ${prefix}`);
    expect(await revokeApiKey(admin, clientId, row!.id, { reason: "Leaked in a ticket" })).toMatchObject({ ok: true });
    expect(cached(key)).toBe(false);
    expect(await ask(key)).toEqual({ status: 401, code: "UNAUTHENTICATED", events: 0 });
  });

  it("stop working at once when revoked through another instance (this one's cache never told)", async () => {
    const { key, prefix } = await newKey();
    expect((await ask(key)).status).toBe(200);
    expect(cached(key)).toBe(true);
    await ownerQuery(sql`update api_keys set revoked_at = now() where prefix = ${prefix}`);
    // Still in this instance's cache: the audit batch's confirmation refuses it, writes nothing, and forgets it.
    expect(cached(key)).toBe(true);
    expect(await ask(key)).toEqual({ status: 401, code: "UNAUTHENTICATED", events: 0 });
    expect(cached(key)).toBe(false);
    expect(await ask(key)).toEqual({ status: 401, code: "UNAUTHENTICATED", events: 0 });
  });

  it("stop working at once when their client is revoked, or their rotation's grace ends, through another instance", async () => {
    const a = await newKey();
    const b = await newKey();
    expect((await ask(a.key)).status).toBe(200);
    expect((await ask(b.key)).status).toBe(200);
    await ownerQuery(sql`update api_clients set status = 'revoked', revoked_at = now(), revoke_reason = 'Decommissioned' where id = ${a.clientId}`);
    await ownerQuery(sql`update api_keys set expires_at = now() - interval '1 second' where prefix = ${b.prefix}`);
    expect(await ask(a.key)).toEqual({ status: 401, code: "UNAUTHENTICATED", events: 0 });
    expect(await ask(b.key)).toEqual({ status: 401, code: "UNAUTHENTICATED", events: 0 });
  });

  it("rotated through this instance: the old key works through its grace period, the new one at once", async () => {
    const { key, clientId } = await newKey();
    expect((await ask(key)).status).toBe(200);
    const rotated = await rotateApiKey(admin, clientId, { graceHours: "24" });
    if (!rotated.ok) throw new Error("rotate failed");
    expect(await ask(key)).toEqual({ status: 200, code: null, events: 1 });
    expect(await ask(rotated.data.key)).toEqual({ status: 200, code: null, events: 1 });
  });

  it("are confirmed once the batch holds its chain's lock: a key revoked while the batch waited for it is refused", async () => {
    const { key, prefix } = await newKey();
    expect((await ask(key)).status).toBe(200);
    // Another writer (another instance's batch, say) holds the source trust's chain head.
    const other = postgres(testDatabaseUrl(), { max: 1, onnotice: () => {} });
    const holder = await other.reserve();
    try {
      await holder`begin`;
      await holder`select seq from audit_chain_heads where chain = ${source.id} for update`;
      const pending = ask(key);
      // Until the batch is waiting for that lock (its transaction has begun and asked for it).
      for (let i = 0; i < 500; i++) {
        const [w] = await ownerQuery<{ n: number }>(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
        if ((w?.n ?? 0) > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await ownerQuery(sql`update api_keys set revoked_at = now() where prefix = ${prefix}`);
      await holder`commit`;
      expect(await pending).toEqual({ status: 401, code: "UNAUTHENTICATED", events: 0 });
    } finally {
      holder.release();
      await other.end();
    }
  });

  it("refuse only the requests of a revoked key among concurrent requests of a batch", async () => {
    const live = await newKey();
    const revoked = await newKey();
    expect((await ask(live.key)).status).toBe(200);
    expect((await ask(revoked.key)).status).toBe(200);
    await ownerQuery(sql`update api_keys set revoked_at = now() where prefix = ${revoked.prefix}`);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => ask(i % 3 === 0 ? revoked.key : live.key)));
    answers.forEach((a, i) => expect(a).toEqual(i % 3 === 0 ? { status: 401, code: "UNAUTHENTICATED", events: 0 } : { status: 200, code: null, events: 1 }));
  });
});
