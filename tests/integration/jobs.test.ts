// The background jobs: what each does, on both databases, and on the PostgreSQL server the pg-boss
// runner that schedules them and runs a job sent to it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ApiCaller } from "@/lib/api/auth";
import { auditEventInput } from "@/lib/audit/schemas";
import { ingestAuditEvents } from "@/lib/audit/ingest";
import { generateSigningKeyPem } from "@/lib/audit/signing-key";
import { jobs, startJobRunner } from "@/lib/jobs/runner";
import { checkpointChains, partitionsAhead } from "@/lib/jobs/tasks";
import { testDatabaseUrl, testDbKind } from "../helpers/database";
import { makeTrust, ownerQuery } from "../helpers/factories";

afterEach(() => vi.unstubAllEnvs());
// This file's own witness folder (read once, by lib/env.ts, before the first checkpoint).
process.env.AUDIT_WITNESS_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-witness-"));
const keyPem = generateSigningKeyPem();

const consortiumCaller: ApiCaller = { clientId: crypto.randomUUID(), keyId: crypto.randomUUID(), name: "test", trustId: null, scopes: ["audit:write"] };

async function ingest(n: number) {
  const trust = await makeTrust();
  const events = Array.from({ length: n }, (_, i) =>
    auditEventInput.parse({
      eventId: crypto.randomUUID(),
      occurredAt: `2026-04-0${1 + i}T10:30:00+01:00`,
      action: "study.view",
      outcome: "success",
      actor: { user: "r@test.example", trust: trust.odsCode, role: "radiologist" },
      patient: { nhsNumber: "9990000018" },
      study: { studyInstanceUid: `1.2.826.0.1.${Date.now()}.${i}`, sourceTrust: trust.odsCode, modality: "CT" },
      purpose: "direct_care",
    }),
  );
  await ingestAuditEvents(consortiumCaller, events);
  return trust;
}

const checkpointsOf = (chain: string) => ownerQuery<{ seq: string | number }>(sql`select seq from audit_checkpoints where chain = ${chain}`);

describe("the jobs' work", () => {
  it("checkpoints every chain whose head moved, and signs nothing without a key", async () => {
    const trust = await ingest(3);
    vi.stubEnv("AUDIT_SIGNING_KEY", "");
    vi.stubEnv("MOSAIC_DATA_DIR", "/nonexistent-mosaic-test");
    expect(await checkpointChains()).toBeNull();
    vi.stubEnv("AUDIT_SIGNING_KEY", keyPem);
    const runs = await checkpointChains();
    expect(runs?.find((r) => r.chain === trust.id)).toMatchObject({ status: "signed", seq: 3 });
    expect((await checkpointsOf(trust.id)).map((r) => Number(r.seq))).toEqual([3]);
    // Nothing new: nothing signed again.
    expect((await checkpointChains())?.find((r) => r.chain === trust.id)).toMatchObject({ status: "unchanged" });
  });

  it("makes this month's and next month's audit partitions ahead", async () => {
    await partitionsAhead(new Date("2031-12-20T12:00:00Z"));
    const parts = await ownerQuery<{ name: string }>(
      sql`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'audit_events'::regclass and c.relname like 'audit_events_203%' order by 1`,
    );
    expect(parts.map((p) => p.name)).toEqual(["audit_events_2031_12", "audit_events_2032_01"]);
    // Again: nothing to do.
    await partitionsAhead(new Date("2031-12-20T12:00:00Z"));
  });
});

describe.runIf(testDbKind === "postgres")("the pg-boss runner", () => {
  it("schedules every job in England's time, and runs a job sent to it", async () => {
    vi.stubEnv("AUDIT_SIGNING_KEY", keyPem);
    const trust = await ingest(2);
    const boss = await startJobRunner(testDatabaseUrl(), { pollingIntervalSeconds: 0.5 });
    try {
      const schedules = await ownerQuery<{ name: string; cron: string; timezone: string }>(sql`select name, cron, timezone from pgboss.schedule order by name`);
      expect(schedules).toEqual(jobs.map((j) => ({ name: j.name, cron: j.cron, timezone: "Europe/London" })).sort((a, b) => a.name.localeCompare(b.name)));
      const id = await boss.send("audit-checkpoint", {});
      expect(id).toBeTruthy();
      let state: string | undefined;
      for (let i = 0; i < 120 && state !== "completed" && state !== "failed"; i++) {
        await new Promise((r) => setTimeout(r, 250));
        state = (await boss.getJobById("audit-checkpoint", id!))?.state;
      }
      expect(state).toBe("completed");
      expect((await checkpointsOf(trust.id)).map((r) => Number(r.seq))).toEqual([2]);
    } finally {
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    }
  });
});
