import { expect, test } from "@playwright/test";
import { generate } from "otplib";
import { expectAccessible, signIn } from "./fixtures";

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const codeAt = (secret: string, stepOffset: number) => generate({ secret, epoch: (Math.floor(Date.now() / 30_000) + stepOffset) * 30 });

test("a person sets up multi-factor sign-in with the key, then signs in with a code and with a recovery code", async ({ browser }) => {
  const email = `mfa.${unique()}@rnz.example`;
  const password = "kestrel orchard lantern";
  const manager = await (await browser.newContext()).newPage();
  await signIn(manager, "pacs@rnz.example");
  await manager.goto("/users/new");
  await manager.getByLabel("Full name").fill("Robin Ashdown");
  await manager.getByLabel("Email address").fill(email);
  await manager.getByLabel("Role").selectOption({ label: "PACS manager" });
  await manager.getByRole("button", { name: "Add person" }).click();
  const link = await manager.getByLabel("Set-password link").inputValue();

  const page = await (await browser.newContext()).newPage();
  await page.goto(link);
  await page.getByLabel("New password", { exact: true }).fill(password);
  await page.getByLabel("New password again").fill(password);
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByText("Your password is set.")).toBeVisible();
  await signIn(page, email, password);

  await page.getByRole("link", { name: "Multi-factor sign-in" }).click();
  await page.getByRole("button", { name: "Set up multi-factor sign-in" }).click();
  await expect(page.getByRole("img", { name: /QR code/ })).toBeVisible();
  await expectAccessible(page);
  const secret = (await page.getByTestId("totp-key").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^[A-Z2-7]+=*$/);
  await page.getByLabel("Enter the 6-digit code").fill(await codeAt(secret, 0));
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByText("Multi-factor sign-in is set up.")).toBeVisible();
  const recovery = await page.getByTestId("recovery-codes").getByRole("listitem").allInnerTexts();
  expect(recovery).toHaveLength(10);

  // Signing in now takes a code after the password.
  await page.goto("/");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByLabel("Code from your authenticator app")).toBeVisible();
  await expectAccessible(page);
  // The next step's code (one step of drift is allowed; the enrolment code was this step's).
  await page.getByLabel("Code from your authenticator app").fill(await codeAt(secret, 1));
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByLabel("Code from your authenticator app").fill(recovery[0] ?? "");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();

  // The manager sees it on the person's page and can reset it.
  await manager.goto(`/users?q=${encodeURIComponent(email)}`);
  await manager.getByRole("link", { name: "Robin Ashdown" }).click();
  await expect(manager.getByText("Set up", { exact: true })).toBeVisible();
  await manager.getByRole("button", { name: "Reset multi-factor sign-in" }).click();
  await expect(manager.getByText("Second factor cleared")).toBeVisible();
});
