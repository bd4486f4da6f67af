import { expect, test } from "@playwright/test";
import { expectAccessible, signIn } from "./fixtures";

test("the administrator creates an API client, sees its key once, and the key works", async ({ page, request }) => {
  await signIn(page, "admin@consortium.example");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API clients" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("API clients");
  await expect(page.getByRole("heading", { name: "Consortium PACS (demo)" })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("button", { name: "Create client and key" }).click();
  await expect(page.locator("#field-name-error")).toBeVisible();
  await expect(page.locator("#scopes-error")).toContainText("at least one scope");

  const name = `Salisbury audit forwarder ${Date.now()}`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Belongs to").selectOption("RNZ");
  await page.getByRole("checkbox", { name: /audit:write/ }).check();
  await page.getByRole("button", { name: "Create client and key" }).click();
  const key = await page.getByTestId("new-api-key").inputValue();
  expect(key).toMatch(/^mosaic_/);
  await expectAccessible(page);

  const res = await request.get("/api/v1/me", { headers: { authorization: `Bearer ${key}` } });
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ client: { name, trust: "RNZ", scopes: ["audit:write"] } });

  // Shown once: after a reload only the prefix remains.
  await page.reload();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.locator("body")).not.toContainText(key);
});

test("a PACS manager has no API clients page", async ({ page }) => {
  await signIn(page, "pacs@rhu.example");
  const response = await page.goto("/settings/api-clients");
  expect(response?.status()).toBe(404);
});
