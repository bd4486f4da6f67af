// The background jobs: what each does, on both databases, and on the PostgreSQL server the pg-boss
// runner that schedules them and runs a job sent to it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ApiCaller } from "@/lib/api-caller";
import { auditEventInput } from "@/lib/audit/schemas";
import { ingestAuditEvents } from "@/lib/audit/ingest";
import { generateSigningKeyPem, signingKeyFromPem } from "@/lib/audit/signing-key";
import { folderWitness } from "@/lib/audit/witness";
import { startCheckpointLoop } from "@/lib/jobs/checkpoint-loop";
import { jobs, startJobRunner } from "@/lib/jobs/runner";
import { partitionsAhead } from "@/lib/jobs/tasks";
import { testDatabase, testDatabaseUrl, testDbKind } from "../helpers/database";
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

describe("the checkpoint loop", () => {
  it("signs and witnesses each chain an ingest moved, once a tick however many ingests, and signs nothing without a key", async () => {
    const witness = folderWitness(fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-witness-")));
    vi.stubEnv("AUDIT_SIGNING_KEY", "");
    vi.stubEnv("MOSAIC_DATA_DIR", "/nonexistent-mosaic-test");
    const keyless = startCheckpointLoop({ db: testDatabase().db, intervalSeconds: 3600, witness });
    await keyless.stop();
    expect(await keyless.tick()).toBeNull();

    const key = await signingKeyFromPem(keyPem);
    const loop = startCheckpointLoop({ db: testDatabase().db, intervalSeconds: 3600, key, witness });
    try {
      await loop.stop(); // driven by hand below: tick() is what the timer runs
      const trust = await ingest(3);
      await ingest(1); // another chain
      const first = await loop.tick();
      expect(first?.find((r) => r.chain === trust.id)).toMatchObject({ status: "signed", seq: 3 });
      // Nothing new: nothing to sign (the cheap query finds no chain).
      expect((await loop.tick())?.find((r) => r.chain === trust.id)).toBeUndefined();
      expect((await witness.list(trust.id)).map((e) => e.seq)).toEqual([3]);
      expect((await checkpointsOf(trust.id)).map((r) => Number(r.seq))).toEqual([3]);
    } finally {
      await loop.stop();
    }
  });

  it("runs on its timer, and an event is covered by a witnessed checkpoint within a tick (the unprotected window, logged)", async () => {
    const witness = folderWitness(fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-witness-")));
    const key = await signingKeyFromPem(keyPem);
    // MOSAIC_WINDOW_SECONDS=10 measures at the default interval (slow); 1 s here by default.
    const intervalSeconds = Number(process.env.MOSAIC_WINDOW_SECONDS ?? 1);
    const loop = startCheckpointLoop({ db: testDatabase().db, intervalSeconds, key, witness });
    const windows: number[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const trust = await ingest(2);
        const committed = Date.now();
        for (;;) {
          const latest = await witness.latest(trust.id);
          if (latest && latest.seq >= 2) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        windows.push(Date.now() - committed);
        // Land the next ingest at another point of the tick.
        await new Promise((r) => setTimeout(r, 300 * (i + 1)));
      }
    } finally {
      await loop.stop();
    }
    console.log(`[window] AUDIT_CHECKPOINT_SECONDS=${intervalSeconds} (${testDbKind}): commit to witnessed checkpoint ${windows.map((w) => `${w} ms`).join(", ")}; max ${Math.max(...windows)} ms`);
    expect(windows).toHaveLength(3);
  });
});

describe("the jobs' work", () => {
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

describe("the pg-boss runner", () => {
  it("schedules every job in England's time, and runs a job sent to it", async () => {
    const boss = await startJobRunner(testDatabaseUrl(), { pollingIntervalSeconds: 0.5 });
    try {
      const schedules = await ownerQuery<{ name: string; cron: string; timezone: string }>(sql`select name, cron, timezone from pgboss.schedule order by name`);
      expect(schedules).toEqual(jobs.map((j) => ({ name: j.name, cron: j.cron, timezone: "Europe/London" })).sort((a, b) => a.name.localeCompare(b.name)));
      // Checkpoints are the checkpoint loop's, no longer a scheduled job.
      expect(schedules.map((s) => s.name)).not.toContain("audit-checkpoint");
      const id = await boss.send("audit-partitions", {});
      expect(id).toBeTruthy();
      let state: string | undefined;
      for (let i = 0; i < 120 && state !== "completed" && state !== "failed"; i++) {
        await new Promise((r) => setTimeout(r, 250));
        state = (await boss.getJobById("audit-partitions", id!))?.state;
      }
      expect(state).toBe("completed");
    } finally {
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    }
  });
});
