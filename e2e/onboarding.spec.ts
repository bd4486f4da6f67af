import { expect, test } from "@playwright/test";
import { expectAccessible, formAlert, signIn } from "./fixtures";

test("the consortium administrator onboards a trust with a site and a department, after fixing bad input", async ({ page }) => {
  // A code no other run used, so a retry or a second run never collides.
  const suffix = String(Date.now() % 100).padStart(2, "0");
  const ods = `RN${suffix}`;
  const siteCode = `${ods}1`.padEnd(5, "0").slice(0, 5);

  await signIn(page, "admin@consortium.example");
  await page.goto("/trusts");
  await page.getByRole("link", { name: "Onboard a trust" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Onboard a trust");
  await expectAccessible(page);

  // Bad input: each message beside its field, and nothing written.
  await page.getByLabel("ODS code").fill("RN-5!");
  await page.getByLabel("Trust name").fill("H");
  await page.getByRole("button", { name: "Onboard trust" }).click();
  await expect(formAlert(page)).toBeVisible();
  await expect(page.locator("#field-odsCode-error")).toContainText("3 to 5 letters and digits");
  await expect(page.locator("#field-name-error")).toContainText("at least 3 characters");
  await expect(page.getByLabel("ODS code")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("ODS code")).toHaveValue("RN-5!");
  await expectAccessible(page);
  await page.goto("/trusts?q=RN-5");
  await expect(page.getByText("No trust matches these filters")).toBeVisible();

  // A duplicate ODS code is refused beside the field too.
  await page.goto("/trusts/new");
  await page.getByLabel("ODS code").fill("RHM");
  await page.getByLabel("Trust name").fill("Another Southampton");
  await page.getByRole("button", { name: "Onboard trust" }).click();
  await expect(page.locator("#field-odsCode-error")).toContainText("already exists");

  // Good input.
  await page.getByLabel("ODS code").fill(ods.toLowerCase());
  await page.getByLabel("Trust name").fill("Hampshire Hospitals NHS Foundation Trust");
  await page.getByRole("button", { name: "Onboard trust" }).click();
  await expect(page).toHaveURL(new RegExp(`/trusts/${ods}\\?created=trust$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Hampshire Hospitals NHS Foundation Trust");
  await expect(page.getByText("No sites yet")).toBeVisible();

  await page.getByRole("link", { name: "Add site" }).click();
  await page.getByLabel("Site code").fill(siteCode);
  await page.getByLabel("Site name").fill("Royal Hampshire County Hospital");
  await page.getByLabel("Town").fill("Winchester");
  await page.getByLabel("Postcode").fill("so225dg");
  await page.getByRole("button", { name: "Add site" }).click();
  await expect(page.getByRole("status")).toHaveText("Site added.");
  await expect(page.getByRole("heading", { name: "Royal Hampshire County Hospital" })).toBeVisible();
  await expect(page.getByText("SO22 5DG")).toBeVisible();

  await page.getByRole("link", { name: "Add department" }).click();
  await expectAccessible(page);
  await page.getByLabel("Department name").fill("Imaging Department");
  await page.getByRole("button", { name: "Add department" }).click();
  await expect(page.locator("#modalities-error")).toContainText("Choose at least one modality");
  await page.getByRole("checkbox", { name: /^CT/ }).check();
  await page.getByRole("checkbox", { name: /^MR/ }).check();
  await page.getByRole("checkbox", { name: /^DX/ }).check();
  await page.getByRole("button", { name: "Add department" }).click();
  await expect(page.getByRole("status")).toHaveText("Department added.");
  const row = page.getByRole("row", { name: /Imaging Department/ });
  await expect(row).toContainText("CT");
  await expect(row).toContainText("MR");
  await expectAccessible(page);

  await page.goto("/trusts");
  await expect(page.getByRole("link", { name: "Hampshire Hospitals NHS Foundation Trust" })).toBeVisible();
});
