import { expect, test } from "@playwright/test";
import { expectAccessible, signIn } from "./fixtures";

test("a PACS manager sees and edits Portsmouth only; another trust's pages are not found", async ({ browser }) => {
  // Learn a Salisbury site's and department's edit addresses as the consortium administrator.
  const adminPage = await (await browser.newContext()).newPage();
  await signIn(adminPage, "admin@consortium.example");
  await adminPage.goto("/trusts/RNZ");
  const siteEdit = await adminPage.locator('a[href*="/sites/"][href$="/edit"]').first().getAttribute("href");
  const deptEdit = await adminPage.locator('a[href*="/departments/"][href$="/edit"]').first().getAttribute("href");
  expect(siteEdit).toMatch(/^\/trusts\/RNZ\/sites\/[0-9a-f-]+\/edit$/);
  expect(deptEdit).toMatch(/^\/trusts\/RNZ\/departments\/[0-9a-f-]+\/edit$/);

  const page = await (await browser.newContext()).newPage();
  await signIn(page, "pacs@rhu.example");
  await page.goto("/trusts");
  await expect(page.getByRole("table").getByRole("link")).toHaveText(["Portsmouth Hospitals University NHS Trust"]);
  await expectAccessible(page);

  for (const address of ["/trusts/RNZ", siteEdit!, deptEdit!, siteEdit!.replace("/RNZ/", "/RHU/"), "/trusts/RNZ/sites/new", "/trusts/new"]) {
    const response = await page.goto(address);
    expect(response?.status(), address).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    // Nothing of Salisbury leaks into the page or its title.
    await expect(page.locator("body")).not.toContainText("Salisbury");
    expect(await page.title()).not.toContain("Salisbury");
  }

  // Their own trust: edit a department's modalities and see the change.
  await page.goto("/trusts/RHU");
  await expectAccessible(page);
  await page.getByRole("link", { name: "Edit Nuclear Medicine" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Edit Nuclear Medicine");
  await expectAccessible(page);
  await page.getByRole("checkbox", { name: /^CT/ }).check();
  await page.getByRole("button", { name: "Save department" }).click();
  await expect(page.getByRole("status")).toHaveText("Department saved.");
  const row = page.getByRole("row", { name: /Nuclear Medicine/ });
  await expect(row).toContainText("CT");
});
