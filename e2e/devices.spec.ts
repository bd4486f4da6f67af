import { expect, test } from "@playwright/test";
import { expectAccessible, formAlert, signIn } from "./fixtures";

test("a PACS manager registers a DICOM device, and a duplicate AE title is refused beside its field", async ({ page }) => {
  // A title no other run used, so a retry or a second run never collides.
  const aeTitle = `RHM_E2E${String(Date.now() % 100_000).padStart(5, "0")}`;
  await signIn(page, "pacs@rhm.example");
  await page.goto("/trusts/RHM");
  await page.getByRole("link", { name: "DICOM devices" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("DICOM devices");
  // The demo devices of the trust, RHM_CT1 among them.
  await expect(page.getByRole("cell", { name: "RHM_CT1", exact: true })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("link", { name: "Register a device" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Register a DICOM device");
  await expectAccessible(page);

  // Bad input: a scanner without its modality, an AE title with a backslash.
  await page.getByLabel("AE title").fill("RHM\\CT9");
  await page.getByLabel("Kind of device").selectOption("modality");
  await page.getByRole("button", { name: "Register device" }).click();
  await expect(formAlert(page)).toBeVisible();
  await expect(page.locator("#field-aeTitle-error")).toContainText("backslash");
  await expect(page.locator("#field-modality-error")).toContainText("Choose the modality");
  await expect(page.locator("#field-siteId-error")).toContainText("Choose the site");
  await expect(page.getByLabel("AE title")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);

  // The duplicate: RHM_CT1 is registered already (the demo seed).
  await page.getByLabel("AE title").fill("RHM_CT1");
  await page.getByLabel("Modality (required for a scanner)").selectOption("CT");
  await page.getByLabel("Site", { exact: true }).selectOption({ label: "Southampton General Hospital (RHM01)" });
  await page.getByRole("button", { name: "Register device" }).click();
  await expect(page.locator("#field-aeTitle-error")).toHaveText(/This AE title is already registered in the consortium\./);
  await expect(page.getByLabel("AE title")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);

  // And one held by another trust (Portsmouth's MRI scanner): the same words, naming no trust. On a
  // fresh form, so that the message seen is this answer's and not the one before.
  await page.goto("/trusts/RHM/devices/new");
  const fillScanner = async (title: string) => {
    await page.getByLabel("AE title").fill(title);
    await page.getByLabel("Kind of device").selectOption("modality");
    await page.getByLabel("Modality (required for a scanner)").selectOption("CT");
    await page.getByLabel("Site", { exact: true }).selectOption({ label: "Southampton General Hospital (RHM01)" });
  };
  await fillScanner("RHU_MR1");
  await page.getByRole("button", { name: "Register device" }).click();
  await expect(page.locator("#field-aeTitle-error")).toHaveText(/This AE title is already registered in the consortium\./);
  await expect(page.locator("#field-aeTitle-error")).not.toContainText("RHU");

  // Good input, with padding that is not stored, on a fresh form for the same reason.
  await page.goto("/trusts/RHM/devices/new");
  await fillScanner(` ${aeTitle} `);
  await page.getByLabel("Host (optional)").fill("10.20.30.40");
  await page.getByLabel("Description (optional)").fill("Second CT scanner, emergency department");
  await page.getByRole("button", { name: "Register device" }).click();
  await expect(page).toHaveURL(/\/trusts\/RHM\/devices\?created=device$/);
  await expect(page.getByRole("status")).toHaveText("Device registered.");
  await page.getByLabel("AE title, host or description").fill(aeTitle);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByRole("cell", { name: aeTitle, exact: true })).toBeVisible();
  await expect(page.getByRole("cell", { name: "10.20.30.40" })).toBeVisible();
});

/** The London day `days` before today, as YYYYMMDD. */
function londonDay(daysAgo: number): string {
  const day = new Date(Date.now() - daysAgo * 86_400_000);
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(day);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}${part("month")}${part("day")}`;
}

test("the study look-up finds a demo study with its trust, site and access history", async ({ page }) => {
  await signIn(page, "pacs@rhm.example");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Studies" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Study look-up");
  await expectAccessible(page);

  // A UID that is not one: refused beside the field.
  await page.getByLabel("Study Instance UID", { exact: true }).check();
  await page.getByLabel("Accession number or Study Instance UID").fill("1.2.abc");
  await page.getByRole("button", { name: "Look up" }).click();
  await expect(page.locator("#study-q-error")).toContainText("numbers separated by dots");
  await expectAccessible(page);

  // The demo history's first RHM study of ten days ago (accession <ODS><day><n>).
  const accession = `RHM${londonDay(10)}00001`;
  await page.getByLabel("Accession number", { exact: true }).check();
  await page.getByLabel("Accession number or Study Instance UID").fill(accession);
  await page.getByRole("button", { name: "Look up" }).click();
  const study = page.getByRole("region", { name: `Study ${accession} · RHM` });
  await expect(study).toBeVisible();
  await expect(study).toContainText("University Hospital Southampton NHS Foundation Trust (RHM)");
  await expect(study).toContainText(/1\.2\.826\.0\.1\.3680043\.10\.543\.1\.\d{8}\.1/);
  await expect(page.getByRole("heading", { name: "Access history" })).toBeVisible();
  await expectAccessible(page);

  // The look-up itself is in the study's history from then on.
  await page.reload();
  await expect(study.getByRole("row").filter({ hasText: "Looked up a study" }).filter({ hasText: "pacs@rhm.example" }).first()).toBeVisible();

  // Another trust's PACS manager does not find it.
  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, "pacs@rhu.example");
  await page.goto(`/studies?by=accession&q=${accession}`);
  await expect(page.getByText("No study found")).toBeVisible();
});
