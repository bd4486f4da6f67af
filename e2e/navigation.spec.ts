import { expect, test } from "@playwright/test";
import { expectAccessible, formAlert, navLinks, signIn } from "./fixtures";

// Each demo role sees the navigation its permissions allow, and can sign out.
const cases = [
  { email: "admin@consortium.example", nav: ["Overview", "Trusts", "Users", "Throughput", "Storage", "Board summary", "Verify audit", "API clients", "Sign-in security"], heading: "Wessex Imaging Consortium", who: "Consortium administrator" },
  { email: "ig@consortium.example", nav: ["Overview", "Trusts", "Users", "Sharing", "Access simulator", "Studies", "Audit"], heading: "Wessex Imaging Consortium", who: "Information governance officer" },
  { email: "cio@consortium.example", nav: ["Overview", "Trusts", "Throughput", "Storage", "Board summary"], heading: "Wessex Imaging Consortium", who: "Chief information officer" },
  { email: "pacs@rhu.example", nav: ["Overview", "Trusts", "Users", "Studies", "Throughput", "Storage", "Board summary"], heading: "Wessex Imaging Consortium", who: "PACS manager, RHU" },
  { email: "ig@rnz.example", nav: ["Overview", "Trusts", "Users", "Sharing", "Access simulator", "Studies", "Audit"], heading: "Wessex Imaging Consortium", who: "Information governance officer, RNZ" },
  { email: "cio@rhm.example", nav: ["Overview", "Trusts", "Throughput", "Storage", "Board summary"], heading: "Wessex Imaging Consortium", who: "Chief information officer, RHM" },
];

for (const c of cases) {
  test(`${c.email} sees their navigation and signs out`, async ({ page }) => {
    await signIn(page, c.email);
    await expect(page.getByRole("heading", { level: 1, name: c.heading })).toBeVisible();
    expect(await navLinks(page)).toEqual(c.nav);
    await expect(page.getByTestId("signed-in-as")).toContainText(c.who);
    await expectAccessible(page);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByText("You have signed out.")).toBeVisible();
    // The old session is over: the portal sends the visitor back to sign in.
    await page.goto("/trusts");
    await expect(page).toHaveURL(/\/sign-in/);
  });
}

test("a wrong password is refused with a message, and the sign-in page is accessible", async ({ page }) => {
  await page.goto("/sign-in");
  await expectAccessible(page);
  await page.getByLabel("Email address").fill("pacs@rhu.example");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(formAlert(page)).toContainText("email address or password is not right");
  await expect(page.getByLabel("Email address")).toHaveValue("pacs@rhu.example");
  await expectAccessible(page);
});

test("signed-out visitors are sent to sign in, and come back after", async ({ page }) => {
  await page.goto("/trusts/RHM");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Ftrusts%2FRHM/);
  await page.getByLabel("Email address").fill("admin@consortium.example");
  await page.getByLabel("Password").fill("mosaic-demo-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/trusts\/RHM$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("University Hospital Southampton NHS Foundation Trust");
});
