import fs from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { expectAccessible, signIn } from "./fixtures";

// The demo PACS's key, written in the e2e portal's data folder by the seed.
const demoKey = () => fs.readFileSync(path.join(process.env.E2E_DATA_DIR ?? ".data/e2e", "demo-api-key"), "utf8").trim();

const patient = "9990000042";
let minute = 0;
const at = () => new Date(Date.UTC(2026, 3, 14, 9, 0, 0) + ++minute * 60_000).toISOString();

function access(actorTrust: string, sourceTrust: string, extra: Record<string, unknown> = {}) {
  return {
    eventId: crypto.randomUUID(),
    occurredAt: at(),
    action: "study.view",
    outcome: "success",
    actor: { user: `dr.okafor@${actorTrust.toLowerCase()}.example`, trust: actorTrust, role: "radiologist" },
    patient: { nhsNumber: patient },
    study: { studyInstanceUid: `1.2.826.0.1.3680043.9.${minute}`, accessionNumber: `${sourceTrust}${100000 + minute}`, sourceTrust, modality: "MR" },
    purpose: "mdt",
    policy: actorTrust === sourceTrust ? null : { id: "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b", version: 3 },
    source: { ip: "10.8.1.20", workstation: "SDH-MDT-ROOM" },
    ...extra,
  };
}

async function send(request: APIRequestContext, events: unknown[]) {
  const res = await request.post("/api/v1/audit-events", { headers: { authorization: `Bearer ${demoKey()}` }, data: { events } });
  expect(res.status(), await res.text()).toBe(200);
}

test.describe.configure({ mode: "serial" });

test("an IG officer answers a subject access request: report, search with paging, CSV", async ({ page, request }) => {
  // 60 accesses to one Salisbury patient: at Salisbury, and at Portsmouth under a policy.
  await send(request, [...Array.from({ length: 40 }, () => access("RNZ", "RNZ")), ...Array.from({ length: 20 }, () => access("RHU", "RNZ"))]);

  await signIn(page, "ig@rnz.example");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
  await page.getByLabel("Patient NHS number").fill("999 000 0042");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/patient=999(\+|%20)000(\+|%20)0042/);
  const rows = page.getByRole("table", { name: "Audit events, newest first" }).getByRole("row");
  await expect(rows).toHaveCount(51); // header and a page of 50
  await expectAccessible(page);
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(rows).toHaveCount(11);
  await expect(page.getByRole("link", { name: "Next page" })).toHaveCount(0);
  await page.getByRole("link", { name: "First page" }).click();
  await expect(rows).toHaveCount(51);

  // The CSV download of the same search.
  const download = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]).then(([d]) => d);
  const csv = fs.readFileSync(await download.path(), "utf8");
  // The 60 accesses; the officer's own look-ups of the patient (each search) are in the trail too.
  expect(csv.trim().split("\r\n").filter((l) => l.split(",")[2] === "study.view")).toHaveLength(60);
  expect(csv.trim().split("\r\n").filter((l) => l.split(",")[2] === "audit.patient_report").length).toBeGreaterThan(0);
  expect(csv).toContain("dr.okafor@rhu.example");

  // The printable patient report.
  await page.goto(`/audit/patients/${patient}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Access report for NHS number 999 000 0042");
  await expect(page.getByText(/60 accesses, by staff of RHU \(20\), RNZ \(40\)|60 accesses, by staff of RNZ \(40\), RHU \(20\)/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Print report" })).toBeVisible();
  await expectAccessible(page);
});

test("one click on Download CSV is one export in the audit trail", async ({ page }) => {
  await signIn(page, "ig@rnz.example");
  const exports = async () => {
    await page.goto("/audit?action=audit.export&user=ig%40rnz.example");
    const table = page.getByRole("table", { name: "Audit events, newest first" });
    // The results, or the answer that there are none, before counting (they stream in after the form).
    await expect(table.or(page.getByText("No events in these", { exact: false }))).toBeVisible();
    const rows = table.getByRole("row");
    return rows.count().then((n) => Math.max(0, n - 1)); // less the header row
  };
  const before = await exports();
  await page.goto(`/audit?patient=${patient}`);
  await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
  expect(await exports()).toBe(before + 1);
});

test("an IG officer works an alert to closed", async ({ page, request }) => {
  await send(request, [access("R1F", "RNZ", { policy: null, patient: { nhsNumber: "9990000050" } })]);
  await signIn(page, "ig@rnz.example");
  await page.goto("/audit/alerts?rule=no_legitimate_basis");
  await expectAccessible(page);
  await page.getByRole("link", { name: "Cross-trust access with no policy" }).first().click();
  await expect(page.getByText("Cross-trust access by dr.okafor@r1f.example with no sharing policy and no break-glass.")).toBeVisible();
  await expectAccessible(page);

  await page.getByLabel("Assign to").selectOption({ label: "Aisha Rahman (ig@rnz.example)" });
  await page.getByRole("button", { name: "Assign" }).click();
  await expect(page.getByText("Assigned.")).toBeVisible();
  await page.getByLabel("Add a note").fill("Asked St Mary's whether the patient was transferred.");
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(page.getByText("Asked St Mary's whether the patient was transferred.")).toBeVisible();

  await page.getByRole("button", { name: "Close alert" }).click();
  await expect(page.locator("#close-resolution-error")).toBeVisible();
  await page.getByLabel("Legitimate: no further action").check();
  await page.getByLabel("Why").fill("Transferred by ambulance; policy for R1F to be added.");
  await page.getByRole("button", { name: "Close alert" }).click();
  await expect(page.getByText("closed", { exact: false }).first()).toBeVisible();
  await expect(page.getByText("Legitimate: no further action", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Close alert" })).toHaveCount(0);
});

test("another trust's officer cannot open the alert", async ({ page }) => {
  await signIn(page, "ig@rnz.example");
  await page.goto("/audit/alerts?status=all&rule=no_legitimate_basis");
  const href = await page.getByRole("link", { name: "Cross-trust access with no policy" }).first().getAttribute("href");
  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, "ig@rhm.example");
  const res = await page.goto(href!);
  expect(res?.status()).toBe(404);
});

test("the consortium administrator verifies every chain and its signed checkpoints", async ({ page }) => {
  await signIn(page, "admin@consortium.example");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Verify audit" }).click();
  await page.getByRole("button", { name: "Verify now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Every chain is intact" })).toBeVisible();
  await expect(page.getByText(/Every signed checkpoint of your chains still matches its event/)).toBeVisible();
  await expectAccessible(page);
  const download = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Download signed checkpoints/ }).click()]).then(([d]) => d);
  const exported = JSON.parse(fs.readFileSync(await download.path(), "utf8")) as { format: string; checkpoints: unknown[]; publicKeys: unknown[] };
  expect(exported.format).toBe("mosaic-audit-checkpoints/1");
  expect(exported.checkpoints.length).toBeGreaterThan(0);
  expect(exported.publicKeys).toHaveLength(1);
});
