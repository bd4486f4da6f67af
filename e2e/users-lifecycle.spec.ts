// The PACS manager's requests (issue 12): extend from "roles ending soon", a reason when
// suspending, a leaving date, and the set-password links of a CSV intake; each form by keyboard,
// its error beside its field, axe on each state.
import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, signIn } from "./fixtures";

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Adds a clinician at the manager's trust whose role ends in `days` days; returns their page's address. */
async function addClinician(page: Page, name: string, days?: number): Promise<string> {
  await page.goto("/users/new");
  await page.getByLabel("Full name").fill(name);
  await page.getByLabel("Email address").fill(`${unique()}@rhm.example`);
  await page.getByLabel("Role").selectOption({ label: "Clinician" });
  if (days !== undefined) await page.getByLabel("Last day (optional)").fill(isoDay(days));
  await page.getByRole("button", { name: "Add person" }).click();
  await expect(page.getByText("Person added.")).toBeVisible();
  await page.goto(`/users?q=${encodeURIComponent(name)}`);
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  return page.url();
}

test("a PACS manager extends a role ending soon, with the error beside the new last day", async ({ page }) => {
  await signIn(page, "pacs@rhm.example");
  const name = `Dr Extend ${unique()}`;
  await addClinician(page, name, 5);
  await page.goto("/users?view=ending-soon");
  const field = page.getByLabel(`New last day for ${name}, Clinician at RHM`);
  await expect(field).toBeVisible();
  await expectAccessible(page);
  // Keyboard only: the field, then its Extend button.
  await field.focus();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row.getByText(/Enter the new last day/)).toBeVisible();
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);
  await field.fill(isoDay(60));
  await row.getByRole("button", { name: "Extend" }).click();
  await expect(row.getByRole("status")).toContainText("Extended: last day");
  await page.goto("/users?view=ending-soon");
  await expect(page.getByRole("row").filter({ hasText: name })).toHaveCount(0);
});

test("suspending needs a reason, shown in the person's history; a leaving date is set and shown", async ({ page }) => {
  await signIn(page, "pacs@rhm.example");
  const name = `Sam Suspend ${unique()}`;
  await addClinician(page, name);
  await page.getByText("Suspend…").click();
  await page.getByRole("button", { name: `Suspend ${name}` }).click();
  await expect(page.getByText(/Say why the account is suspended/)).toBeVisible();
  await expect(page.getByLabel("Reason for suspending")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);
  await page.getByLabel("Reason for suspending").fill("Investigation under way (HR-12)");
  await page.getByRole("button", { name: `Suspend ${name}` }).click();
  await expect(page.getByText("Account suspended: any open session has ended.")).toBeVisible();
  await expect(page.getByRole("table", { name: /Changes to/ })).toContainText("reason: Investigation under way (HR-12)");
  await page.getByRole("button", { name: "Reactivate" }).click();
  await expect(page.getByText("Account reactivated.")).toBeVisible();

  await page.getByText("Set a leaving date…").click();
  await page.getByLabel("Last working day").fill(isoDay(-2));
  await page.getByRole("button", { name: "Set the leaving date" }).click();
  await expect(page.getByText(/This day has already ended/)).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Last working day").fill(isoDay(14));
  await page.getByRole("button", { name: "Set the leaving date" }).click();
  await expect(page.getByText("Leaving date set: they stay active until the end of that day.")).toBeVisible();
  await expect(page.getByText(/a leaver from the end of that day/)).toBeVisible();
  await expect(page.getByRole("table", { name: /Changes to/ })).toContainText("Leaving date set");
  await expectAccessible(page);
});

test("a CSV intake shows each new person's set-password link once, with a download", async ({ page }) => {
  await signIn(page, "pacs@rhm.example");
  await page.goto("/users/import");
  const tag = unique();
  const csv = [
    "email,name,role,trust,department,valid_from,valid_until,job_role_code",
    `ivy.${tag}@rhm.example,Ivy Nash,radiographer,RHM,,${isoDay(0)},,`,
    `joe.${tag}@rhm.example,Joe Park,clinician,RHM,,${isoDay(0)},${isoDay(90)},`,
  ].join("\n");
  await page.getByLabel("CSV file").setInputFiles({ name: "intake.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Check file" }).click();
  await page.getByRole("button", { name: "Import 2 rows" }).click();
  await expect(page.getByRole("heading", { name: "Set-password links (shown only now)" })).toBeVisible();
  await expect(page.getByLabel("Set-password link for Ivy Nash")).toHaveValue(/\/set-password\?token=/);
  await expect(page.getByLabel("Set-password link for Joe Park")).toHaveValue(/\/set-password\?token=/);
  await expectAccessible(page);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download the links (CSV)" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("set-password-links.csv");
  const text = await (await file.createReadStream()).toArray();
  expect(Buffer.concat(text).toString("utf8")).toContain(`ivy.${tag}@rhm.example`);
  // The link works: the person sets their password with it.
  const link = await page.getByLabel("Set-password link for Ivy Nash").inputValue();
  await page.goto(link);
  await expect(page.getByText(/Ivy Nash/)).toBeVisible();
});

test("another trust's PACS manager is offered no extension of RHM's roles", async ({ page }) => {
  await signIn(page, "pacs@rhu.example");
  await page.goto("/users?view=ending-soon");
  await expect(page.getByLabel(/New last day for .*at RHM/)).toHaveCount(0);
});
