import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { expectAccessible, signIn } from "./fixtures";

test("throughput filters live in the address, and a chart's numbers download as CSV", async ({ page }) => {
  await signIn(page, "cio@consortium.example");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Throughput" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Throughput");
  await expect(page.getByRole("heading", { name: "Exams per day" })).toBeVisible();
  await expectAccessible(page);

  const filters = page.getByRole("search", { name: "Filter the figures" });
  await filters.getByLabel("Trust").selectOption("RHM");
  await filters.getByLabel("Modality").selectOption("CT");
  await filters.getByLabel("From").fill("2026-01-01");
  await filters.getByRole("button", { name: "Show figures" }).click();
  await expect(page).toHaveURL(/trust=RHM/);
  await expect(page).toHaveURL(/modality=CT/);
  await expect(page).toHaveURL(/from=2026-01-01/);
  await expect(page.getByText(/University Hospital Southampton NHS Foundation Trust \(RHM\) · CT/)).toBeVisible();

  // The same address in a fresh page shows the same view (a link to a colleague).
  const shared = page.url();
  const other = await page.context().newPage();
  await other.goto(shared);
  const sharedFilters = other.getByRole("search", { name: "Filter the figures" });
  await expect(sharedFilters.getByLabel("Trust")).toHaveValue("RHM");
  await expect(sharedFilters.getByLabel("Modality")).toHaveValue("CT");
  await expect(other.getByTestId("period-total")).toHaveText((await page.getByTestId("period-total").textContent()) ?? "");
  await other.close();

  // The modality mix of an RHM CT view has CT only; its CSV says so.
  const mix = page.getByRole("region", { name: "Modality mix" });
  const [download] = await Promise.all([page.waitForEvent("download"), mix.getByRole("button", { name: /Download CSV/ }).click()]);
  expect(download.suggestedFilename()).toMatch(/^mosaic-modality-mix-.*\.csv$/);
  const csv = fs.readFileSync((await download.path()) ?? "", "utf8");
  const lines = csv.trim().split(/\r\n/);
  // A single trust is shown beside the consortium's share of each modality.
  expect(lines[0]).toBe("Modality,Name,Exams,Share,Stored,Consortium share");
  expect(lines.slice(1).every((l) => l.startsWith("CT,"))).toBe(true);

  // The table behind the chart has the same numbers.
  await mix.getByText("Table of the numbers").click();
  await expect(mix.getByRole("table")).toContainText("Computed tomography");
});

test("a trust's CIO cannot open another trust's figures", async ({ page }) => {
  await signIn(page, "cio@rhm.example");
  const res = await page.goto("/throughput?trust=RHU");
  expect(res?.status()).toBe(404);
  await page.goto("/throughput");
  await expect(page.getByRole("search", { name: "Filter the figures" }).getByLabel("Trust").locator("option")).toHaveText(["Your trust", "RHM · University Hospital Southampton NHS Foundation Trust"]);
});

test("a PACS manager requests a quota increase and a CIO approves it", async ({ browser }) => {
  // Two people, two browser contexts (axe needs pages made through a context).
  const pacsContext = await browser.newContext();
  const cioContext = await browser.newContext();
  const pacs = await pacsContext.newPage();
  await signIn(pacs, "pacs@rnz.example");
  await pacs.goto("/storage");
  await expect(pacs.getByRole("heading", { level: 1 })).toHaveText("Storage");
  await expectAccessible(pacs);
  const form = pacs.getByRole("region", { name: "Quota change requests" });
  await form.getByLabel("Tier").selectOption("archive");
  await form.getByLabel("New quota in terabytes").fill("lots");
  await form.getByRole("button", { name: "Send request" }).click();
  await expect(pacs.locator("#field-requestedTerabytes-error")).toContainText("terabytes");
  await form.getByLabel("New quota in terabytes").fill("250");
  await form.getByLabel("Reason").fill("The breast screening service moves to Salisbury in spring.");
  await form.getByRole("button", { name: "Send request" }).click();
  await expect(pacs.getByRole("status").filter({ hasText: "Request sent for RNZ" })).toBeVisible();
  await expect(pacs.getByRole("row", { name: /RNZ archive/ })).toContainText("Pending");
  await pacsContext.close();

  const cio = await cioContext.newPage();
  await signIn(cio, "cio@rnz.example");
  await cio.goto("/storage");
  const row = cio.getByRole("row", { name: /RNZ archive/ }).filter({ hasText: "Pending" });
  await expect(row).toContainText("250 TB");
  await row.getByLabel("Note on the decision").fill("Agreed at the capacity board.");
  await row.getByRole("button", { name: /^Approve/ }).click();
  // The page refreshes with the decision: the request is approved and the quota is the new one.
  await expect(cio.getByRole("row", { name: /RNZ archive/ }).first()).toContainText("Approved");
  await expect(cio.getByRole("row", { name: /RNZ archive/ }).first()).toContainText("Agreed at the capacity board.");
  await expect(cio.getByRole("article", { name: "RNZ archive" })).toContainText(/of 250(\.0+)? TB/); // used and quota in one unit and precision
  await expectAccessible(cio);
  await cioContext.close();
});
