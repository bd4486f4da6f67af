import fs from "node:fs";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { expectAccessible, signIn } from "./fixtures";

// Runs against the portal on the PostgreSQL server, where the test can reach into the database as
// someone with superuser access would, to tamper with the audit trail behind the portal's back.
test("verify names the first event after someone edits the audit trail in the database", async ({ page, request }) => {
  const key = fs.readFileSync(".data/e2e-server/demo-api-key", "utf8").trim();
  const events = Array.from({ length: 5 }, (_, i) => ({
    eventId: crypto.randomUUID(),
    occurredAt: new Date(Date.UTC(2026, 2, 3, 10, i)).toISOString(),
    action: "study.view",
    outcome: "success",
    actor: { user: "dr.hale@rhm.example", trust: "RHM", role: "radiologist" },
    patient: { nhsNumber: "9990000018" },
    study: { studyInstanceUid: `1.2.826.0.1.77.${i}`, sourceTrust: "RHM", modality: "CT" },
    purpose: "direct_care",
  }));
  const res = await request.post("/api/v1/audit-events", { headers: { authorization: `Bearer ${key}` }, data: { events } });
  expect(res.status()).toBe(200);

  await signIn(page, "ig@rhm.example");
  await page.goto("/audit/verify");
  await page.getByRole("button", { name: "Verify now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Every chain is intact" })).toBeVisible();
  await expectAccessible(page);

  const sql = postgres(process.env.E2E_DATABASE_URL!, { max: 1, onnotice: () => {} });
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe("set local session_replication_role = replica");
      await tx`update audit_events set actor_email = 'someone.else@rhm.example' where id = ${events[2]!.eventId}`;
    });
  } finally {
    await sql.end();
  }

  // The portal signs and witnesses new events within seconds, so the edited event may already be
  // behind the latest checkpoint, where "Verify now" does not walk: the walk from the first event
  // names it whenever it was made.
  await page.getByRole("button", { name: "Walk every event from the first" }).click();
  await expect(page.getByRole("status").filter({ hasText: "1 chain broken." })).toBeVisible();
  const row = page.getByRole("row", { name: /University Hospital Southampton/ });
  await expect(row).toContainText("broken");
  await expect(row).toContainText(`Event ${events[2]!.eventId}`);
  await expect(row).toContainText("was altered after it was recorded");
});
