import { expect, test, type Browser, type Page } from "@playwright/test";
import { expectAccessible, signIn } from "./fixtures";

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email);
  return page;
}

/** Adds a person through the form and returns the set-password link shown once. */
async function addPerson(page: Page, person: { name: string; email: string; role: string }): Promise<string> {
  await page.goto("/users/new");
  await page.getByLabel("Full name").fill(person.name);
  await page.getByLabel("Email address").fill(person.email);
  await page.getByLabel("Role").selectOption({ label: person.role });
  await page.getByRole("button", { name: "Add person" }).click();
  await expect(page.getByText("Person added.")).toBeVisible();
  const link = await page.getByLabel("Set-password link").inputValue();
  expect(link).toMatch(/\/set-password\?token=/);
  return link;
}

test("a junior doctor rotates from Southampton to Portsmouth, and the role shows as ending soon", async ({ browser }) => {
  const email = `rota.${unique()}@rhm.example`;
  const southampton = await signedIn(browser, "pacs@rhm.example");
  await addPerson(southampton, { name: "Dr Rowan Tate", email, role: "Clinician" });

  const portsmouth = await signedIn(browser, "pacs@rhu.example");
  await portsmouth.goto("/users");
  await expectAccessible(portsmouth);
  await portsmouth.getByRole("link", { name: "Grant a role by email" }).click();
  await portsmouth.getByLabel("The person's email address").fill(email);
  await portsmouth.getByLabel("Role").selectOption({ label: "Clinician" });
  await portsmouth.getByLabel("First day").fill(isoDay(-100));
  await portsmouth.getByLabel("Last day (optional)").fill(isoDay(20));
  await portsmouth.getByRole("button", { name: "Grant role" }).click();
  await expect(portsmouth.getByText("Role granted.")).toBeVisible();
  await expect(portsmouth.getByRole("heading", { level: 1, name: "Dr Rowan Tate" })).toBeVisible();
  // Both trusts' roles on the page; only Portsmouth's can be ended from here.
  const roles = portsmouth.getByRole("table", { name: /Role assignments/ });
  await expect(roles.getByRole("row")).toHaveCount(3);
  await expect(roles).toContainText("RHM");
  await expect(roles).toContainText("RHU");
  await expect(portsmouth.getByRole("button", { name: /End now/ })).toHaveCount(1);
  await expect(portsmouth.getByRole("table", { name: /Changes to/ })).toContainText("Role granted");
  await expectAccessible(portsmouth);

  await portsmouth.goto("/users?view=ending-soon");
  await expect(portsmouth.getByRole("table")).toContainText("Dr Rowan Tate");
  await expectAccessible(portsmouth);
});

test("a CSV import with problems imports nothing; the corrected file imports once", async ({ page }) => {
  await signIn(page, "pacs@rhu.example");
  await page.goto("/users/import");
  await expectAccessible(page);
  const tag = unique();
  const header = "email,name,role,trust,department,valid_from,valid_until,job_role_code";
  const bad = [header, `good.${tag}@rhu.example,Ada Quinn,radiographer,RHU,Radiology,${isoDay(0)},,`, `not-an-email,Ben Hall,radiographer,RHU,,${isoDay(0)},,`, `cara.${tag}@rhu.example,Cara Lee,surgeon,RHU,,${isoDay(0)},,`, `dev.${tag}@rhu.example,Dev Shah,clinician,RHU,,31/02/2026,,`].join("\n");
  await page.getByLabel("CSV file").setInputFiles({ name: "intake.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
  await page.getByRole("button", { name: "Check file" }).click();
  await expect(page.getByRole("heading", { name: "3 of 4 rows need correcting" })).toBeVisible();
  await expect(page.getByRole("button", { name: /^Import/ })).toHaveCount(0);
  await expect(page.getByRole("table")).toContainText("is not a role");
  await expectAccessible(page);

  const good = [header, `good.${tag}@rhu.example,Ada Quinn,radiographer,RHU,Radiology,${isoDay(0)},,`, `ben.${tag}@rhu.example,Ben Hall,radiographer,RHU,,${isoDay(0)},,`, `dev.${tag}@rhu.example,Dr Dev Shah,clinician,RHU,,${isoDay(0)},${isoDay(120)},`].join("\n");
  await page.getByLabel("CSV file").setInputFiles({ name: "intake.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
  await page.getByRole("button", { name: "Check file" }).click();
  await expect(page.getByRole("heading", { name: "Ready to import" })).toBeVisible();
  await page.getByRole("button", { name: "Import 3 rows" }).click();
  await expect(page.getByText("3 new people added, 3 roles granted, 0 already in place.")).toBeVisible();

  // The same file again changes nothing.
  await page.goto("/users/import");
  await page.getByLabel("CSV file").setInputFiles({ name: "intake.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
  await page.getByRole("button", { name: "Check file" }).click();
  await expect(page.getByRole("heading", { name: "Nothing to import" })).toBeVisible();
  await expect(page.getByText("Every row of this file is already in place: there is nothing to import.")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Import/ })).toHaveCount(0);
});

test("a new person sets a password through the link; once suspended, their next click signs them out", async ({ browser }) => {
  const email = `new.${unique()}@r1f.example`;
  const manager = await signedIn(browser, "pacs@r1f.example");
  const link = await addPerson(manager, { name: "Morgan Vale", email, role: "Radiographer" });

  const person = await (await browser.newContext()).newPage();
  await person.goto(link);
  await expect(person.getByRole("heading", { name: "Set your password" })).toBeVisible();
  await expectAccessible(person);
  await person.getByLabel("New password", { exact: true }).fill("password1234");
  await person.getByLabel("New password again").fill("password1234");
  await person.getByRole("button", { name: "Set password" }).click();
  await expect(person.getByText(/too common/).first()).toBeVisible();
  await person.getByLabel("New password", { exact: true }).fill("tulip marble harbour");
  await person.getByLabel("New password again").fill("tulip marble harbour");
  await person.getByRole("button", { name: "Set password" }).click();
  await expect(person.getByText("Your password is set.")).toBeVisible();
  await signIn(person, email, "tulip marble harbour");

  // The link was single-use.
  const again = await (await browser.newContext()).newPage();
  await again.goto(link);
  await expect(again.getByText("This link has expired or has already been used.")).toBeVisible();

  await manager.goto(`/users?q=${encodeURIComponent(email)}`);
  await manager.getByRole("link", { name: "Morgan Vale" }).click();
  await manager.getByText("Suspend…").click();
  await manager.getByLabel("Reason for suspending").fill("Left the building with a shared password");
  await manager.getByRole("button", { name: "Suspend Morgan Vale" }).click();
  await expect(manager.getByText("Account suspended")).toBeVisible();

  await person.getByRole("link", { name: "Overview" }).click();
  await expect(person).toHaveURL(/\/sign-in/);
  await expect(person.getByText("Your session has ended.")).toBeVisible();
});
