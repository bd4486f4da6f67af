import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, signIn } from "./fixtures";

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Signs in at the test OIDC provider's development login and consent pages. */
async function throughProvider(page: Page, login: string) {
  await page.getByRole("button", { name: "Sign in with NHS Care Identity (test)" }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password: the test provider accepts it");
  await page.locator('button[type="submit"]').click();
  const consent = page.getByRole("button", { name: "Continue" });
  if (await consent.isVisible({ timeout: 5_000 }).catch(() => false)) await consent.click();
}

test("single sign-on through an OpenID Connect provider signs in an existing person and never creates one", async ({ browser }) => {
  const email = `sso.${unique()}@rhu.example`;
  const manager = await (await browser.newContext()).newPage();
  await signIn(manager, "pacs@rhu.example");
  await manager.goto("/users/new");
  await manager.getByLabel("Full name").fill("Dr Jordan Blake");
  await manager.getByLabel("Email address").fill(email);
  await manager.getByLabel("Role").selectOption({ label: "Radiologist" });
  await manager.getByRole("button", { name: "Add person" }).click();
  await expect(manager.getByText("Person added.")).toBeVisible();

  const page = await (await browser.newContext()).newPage();
  await page.goto("/sign-in");
  await expectAccessible(page);
  await throughProvider(page, email);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toContainText("Dr Jordan Blake");

  // The sign-in is on the person's history, linked to the provider's identity.
  await manager.goto(`/users?q=${encodeURIComponent(email)}`);
  await manager.getByRole("link", { name: "Dr Jordan Blake" }).click();
  await expect(manager.getByText("Never")).toHaveCount(0);

  const stranger = await (await browser.newContext()).newPage();
  await stranger.goto("/sign-in");
  await throughProvider(stranger, `nobody.${unique()}@nowhere.example`);
  await expect(stranger).toHaveURL(/\/sign-in\?error=sso_unknown/);
  await expect(stranger.getByText("No Mosaic account matches that identity.")).toBeVisible();
});
