// An access decision is never answered before its audit event is committed (DESIGN.md: integrity).
// Requests arrive at once, as the PACS's do; each answer, the moment it arrives, must find its
// events already committed when read from another transaction. And when the audit trail cannot
// store the events, the decision is refused (503), never answered 200.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/access-decisions/route";
import { createApiClient } from "@/lib/api-clients/commands";
import type { Ctx } from "@/lib/auth/context";
import { ownerQuery, type TestTrust } from "../helpers/factories";
import { makeMrSharing } from "../helpers/sharing";

let source: TestTrust, target: TestTrust;
let radiologist: Ctx;
let key = "";

beforeAll(async () => {
  let admin: Ctx;
  ({ source, target, radiologist, admin } = await makeMrSharing());
  const client = await createApiClient(admin, { name: "PACS", owner: "consortium", scopes: ["decisions:read"] });
  if (!client.ok) throw new Error(JSON.stringify(client.error));
  key = client.data.key;
});

function question(i: number, purpose = "mdt") {
  return {
    requester: { user: radiologist.email, trust: target.odsCode },
    study: { sourceTrust: source.odsCode, modality: "MR", studyDate: "2024-05-01", studyInstanceUid: `1.2.826.0.1.3680043.8.498.${i + 1}`, patientNhsNumber: "9990000018" },
    purpose,
    patientEpisodeTrusts: [target.odsCode, source.odsCode],
    breakGlassJustification: null,
  };
}

async function ask(payload: unknown, requestId: string) {
  const res = await POST(
    new Request("http://mosaic.test/api/v1/access-decisions", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}`, "x-request-id": requestId },
      body: JSON.stringify(payload),
    }),
  );
  return { status: res.status, json: (await res.json()) as { decision?: string; decisions?: unknown[]; error?: { code: string; message: string } } };
}

/** Committed access.decision events of one request, read in a transaction of its own. */
async function committedEvents(requestId: string): Promise<number> {
  const [row] = await ownerQuery<{ n: number }>(sql`select count(*)::int as n from audit_events where action = 'access.decision' and details->>'requestId' = ${requestId}`);
  return row?.n ?? 0;
}

describe("access decisions and their audit trail", () => {
  it("answers each of 50 concurrent requests only once its audit events are committed", async () => {
    const run = crypto.randomUUID();
    const seen = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const requestId = `${run}-${i}`;
        // Every fifth request is a batch of three decisions: all three are committed with the answer.
        const payload = i % 5 === 0 ? { requests: [question(i), question(i, "research"), question(i)] } : question(i, i % 2 ? "mdt" : "research");
        const answer = await ask(payload, requestId);
        // Read at once, before any other answer is awaited: nothing may still be on its way.
        return { status: answer.status, expected: i % 5 === 0 ? 3 : 1, committed: await committedEvents(requestId) };
      }),
    );
    expect(seen.map((s) => s.status)).toEqual(seen.map(() => 200));
    expect(seen.map((s) => s.committed)).toEqual(seen.map((s) => s.expected));
  });

  it("refuses the decision (503, never 200) when its audit event cannot be stored", async () => {
    // A fault in the audit table's storage, as a full disk or a broken partition would raise it: a
    // trigger that refuses the events of the requests marked "refuse-…".
    await ownerQuery(sql.raw(`create or replace function test_refuse_decision_audit() returns trigger language plpgsql as $$
      begin raise exception 'could not extend the audit partition (test fault)'; end $$`));
    await ownerQuery(
      sql.raw(`create trigger test_refuse_decision_audit before insert on audit_events for each row
        when (new.details->>'requestId' like 'refuse-%') execute function test_refuse_decision_audit()`),
    );
    const run = crypto.randomUUID();
    try {
      const alone = await ask(question(1), `refuse-${run}-alone`);
      expect(alone.status).toBe(503);
      expect(alone.json.error).toMatchObject({ code: "UNAVAILABLE", message: expect.any(String) });
      expect(alone.json.decision).toBeUndefined();

      // Among other requests at the same moment: the refused one never gets a decision, and any
      // request answered 200 (those not in its batch) has its event committed.
      const mixed = await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          const requestId = i === 5 ? `refuse-${run}-${i}` : `${run}-${i}`;
          const answer = await ask(question(i), requestId);
          return { requestId, status: answer.status, committed: await committedEvents(requestId) };
        }),
      );
      const refused = mixed.find((m) => m.requestId.startsWith("refuse-"));
      expect(refused?.status).toBe(503);
      for (const m of mixed) {
        expect([200, 503]).toContain(m.status);
        expect(m.committed).toBe(m.status === 200 ? 1 : 0);
      }
      expect(await committedEvents(`refuse-${run}-alone`)).toBe(0);
    } finally {
      await ownerQuery(sql.raw("drop trigger test_refuse_decision_audit on audit_events"));
    }
    // The next request, with the audit trail back, is answered (nothing stays stuck in a queue).
    const after = await ask(question(2), `${run}-after`);
    expect(after.status).toBe(200);
    expect(await committedEvents(`${run}-after`)).toBe(1);
  });
});
