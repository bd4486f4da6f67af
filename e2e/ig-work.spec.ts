import fs from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { expectAccessible, formAlert, signIn, signOut } from "./fixtures";

// The IG officer's requests of issue 12: a work list home, alerts closed in bulk and reopened with
// their history, the trail searched by study, and the simulator asked about a person and a study.
const demoKey = () => fs.readFileSync(path.join(path.dirname(process.env.E2E_PGLITE_DIR ?? ".data/e2e/pglite"), "demo-api-key"), "utf8").trim();

const study = "1.2.826.0.1.3680043.9.424242";
let minute = 0;
const at = () => new Date(Date.UTC(2026, 5, 10, 10, 0, 0) + ++minute * 60_000).toISOString();

/** A Isle of Wight radiologist's look at a Salisbury study with no policy: each raises an alert for RNZ. */
const unexplained = (studyInstanceUid: string) => ({
  eventId: crypto.randomUUID(),
  occurredAt: at(),
  action: "study.view",
  outcome: "success",
  actor: { user: "dr.bulk@r1f.example", trust: "R1F", role: "radiologist" },
  patient: { nhsNumber: "9990000018" },
  study: { studyInstanceUid, accessionNumber: "RNZBULK1", sourceTrust: "RNZ", modality: "MR" },
  purpose: "direct_care",
  policy: null,
  source: { ip: "10.8.1.21", workstation: "IOW-RAD-02" },
});

async function post(request: APIRequestContext, url: string, data: unknown) {
  const res = await request.post(url, { headers: { authorization: `Bearer ${demoKey()}` }, data });
  expect(res.status(), await res.text()).toBe(200);
}

test.describe.configure({ mode: "serial" });

test("an IG officer's home is their work list", async ({ page }) => {
  await signIn(page, "ig@rnz.example");
  await expect(page.getByRole("heading", { name: "Your work" })).toBeVisible();
  await expect(page.getByRole("heading", { name: /Alerts assigned to you/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: /Alerts no one has taken/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: /Policies awaiting your approval/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Patient reports you requested" })).toBeVisible();
  await expectAccessible(page);
  // Other roles' homes are as they were.
  await signOut(page);
  await signIn(page, "pacs@rnz.example");
  await expect(page.getByRole("heading", { name: "Your work" })).toHaveCount(0);
});

test("an IG officer closes alerts in bulk, reopens one, and reads its history", async ({ page, request }) => {
  // The longest walk of the suite (two forms, three pages, five accessibility checks).
  test.slow();
  await post(request, "/api/v1/audit-events", { events: [unexplained(study), unexplained(study)] });
  await signIn(page, "ig@rnz.example");
  await page.goto("/audit/alerts?rule=no_legitimate_basis");
  await expectAccessible(page);

  // Nothing ticked, no resolution, no reason: each error beside its field.
  await page.getByRole("button", { name: "Close ticked alerts" }).click();
  await expect(formAlert(page)).toBeVisible();
  await expect(page.locator("#ids-error")).toContainText("Choose at least one alert");
  await expect(page.locator("#bulk-resolution-error")).toBeVisible();
  await expect(page.locator("#bulk-body-error")).toBeVisible();
  await expectAccessible(page);

  // Ticked from the keyboard.
  const boxes = page.getByRole("checkbox", { name: /Tick to close: Cross-trust access with no policy/ });
  await expect(boxes.first()).toBeVisible();
  const count = await boxes.count();
  expect(count).toBeGreaterThanOrEqual(2);
  for (const i of [0, 1]) {
    await boxes.nth(i).focus();
    await page.keyboard.press("Space");
    await expect(boxes.nth(i)).toBeChecked();
  }
  await page.getByLabel("False positive").check();
  await page.getByLabel("Why").fill("Both looks were the same transfer, checked with R1F's IG lead.");
  await page.getByRole("button", { name: "Close ticked alerts" }).click();
  await expect(page.getByRole("status").filter({ hasText: "2 alerts closed." })).toBeVisible();
  await expect(boxes).toHaveCount(count - 2);
  await expectAccessible(page);

  // A closed one, reopened: its history says who did what.
  await page.goto("/audit/alerts?status=closed&rule=no_legitimate_basis");
  // The closed queue as CSV (its filters, every page): both closed alerts, with their resolution.
  const download = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Download CSV/ }).click()]).then(([d]) => d);
  const csv = fs.readFileSync(await download.path(), "utf8");
  expect(csv.split("\r\n")[0]).toContain("event_occurred_at,trust,rule,severity,status");
  expect(csv.split("\r\n").filter((line) => line.includes("dr.bulk@r1f.example") && line.includes("false_positive")).length).toBeGreaterThanOrEqual(2);
  await page.getByRole("link", { name: "Cross-trust access with no policy" }).first().click();
  const history = page.getByRole("region", { name: "History" });
  await expect(history.getByText("Raised by the audit scan")).toBeVisible();
  await expect(history.getByText("Closed by Aisha Rahman (False positive)")).toBeVisible();
  await page.getByRole("button", { name: "Reopen alert" }).click();
  await expect(page.locator("#reopen-body-error")).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Why reopen it").fill("R1F says the second look was not the transfer.");
  await page.getByRole("button", { name: "Reopen alert" }).click();
  await expect(history.getByText("Reopened by Aisha Rahman")).toBeVisible();
  await expect(page.getByRole("button", { name: "Close alert" })).toBeVisible();
  await expectAccessible(page);
});

test("an IG officer searches the audit trail by Study Instance UID and accession number", async ({ page }) => {
  // Two officers, five searches, three accessibility checks: 50 s of 60 on a loaded machine.
  test.slow();
  await signIn(page, "ig@rnz.example");
  await page.goto("/audit");
  await page.getByLabel("Study Instance UID").fill("1.2.03");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.locator("#f-study-error")).toContainText("Study Instance UID");
  await expectAccessible(page);

  await page.getByLabel("Study Instance UID").fill(study);
  await page.getByRole("button", { name: "Search" }).click();
  const table = page.getByRole("table", { name: "Audit events, newest first" });
  // The two looks (months before the 30-day default window: a study's whole history is read).
  await expect(table.getByRole("row").filter({ hasText: "dr.bulk@r1f.example" })).toHaveCount(2);
  await expectAccessible(page);

  await page.goto("/audit?accession=RNZBULK1");
  await expect(table.getByRole("row").filter({ hasText: "dr.bulk@r1f.example" })).toHaveCount(2);
  // Another trust's officer sees none of them.
  await signOut(page);
  await signIn(page, "ig@rhm.example");
  await page.goto(`/audit?study=${study}`);
  await expect(page.getByText("No events match these filters")).toBeVisible();
  await expectAccessible(page);
});

test("the simulator answers for a named person and a study by its UID", async ({ page, request }) => {
  const mr = "1.2.826.0.1.3680043.9.434343";
  await post(request, "/api/v1/exams", {
    exams: [{ studyInstanceUid: mr, accessionNumber: "RNZSIM1", trust: "RNZ", site: "RNZ02", modality: "MR", performedAt: "2026-06-01T09:15:00+01:00", imageCount: 180, sizeBytes: 90_000_000 }],
  });
  await signIn(page, "ig@rnz.example");
  await page.goto("/sharing/simulator");
  await page.getByLabel("A named person (optional)").fill("nobody@nowhere.example");
  await page.getByLabel("A study by its Study Instance UID (optional)").fill(mr);
  await page.getByRole("button", { name: "Ask" }).click();
  await expect(page.locator("#sim-requesterEmail-error")).toContainText("No one in Mosaic");
  await expectAccessible(page);

  await page.getByLabel("A named person (optional)").fill("radiologist@rhu.example");
  await page.getByLabel("Requester's trust", { exact: true }).selectOption("RHU");
  await page.getByLabel("The patient has an episode at the requester's trust").check();
  await page.getByRole("button", { name: "Ask" }).click();
  const asked = page.getByTestId("simulator-asked");
  await expect(asked).toContainText("radiologist@rhu.example: Radiologist at RHU");
  await expect(asked).toContainText(`${mr}: RNZ MR of`);
  await expect(page.getByTestId("simulator-answer").getByRole("heading", { name: /Answer: Permit/ })).toBeVisible();
  await expectAccessible(page);
});
