import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

const demoPassword = "mosaic-demo-password";

/** Signs in through the sign-in page as a person would. */
export async function signIn(page: Page, email: string, password = demoPassword): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/**
 * Signs out and waits for the sign-in page: going on before the sign-out's answer arrives can
 * cancel it, and the next sign-in page then sends the person, still signed in, to their home.
 */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByLabel("Email address")).toBeVisible();
}

/** Fails on any WCAG 2.1 A/AA violation that axe finds on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  // After a client-side navigation Next streams the new page's <title> in with its metadata: wait
  // for the settled page (a page with no title at all still fails here).
  await expect(page).toHaveTitle(/\S/);
  const violations = async () => {
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  };
  // The first analysis runs to its end, however long a loaded machine makes it (a time limit here
  // cut it off unfinished, a failure with no finding). Only what it finds is asked again, until it
  // holds for a few seconds' worth of tries: a render in flight (an action's answer replacing the
  // streamed <title>) is a moment, not a finding; a real violation stays.
  if ((await violations()).length === 0) return;
  await expect.poll(violations, { timeout: 10_000 }).toEqual([]);
}

/** The main navigation's link names. */
export async function navLinks(page: Page): Promise<string[]> {
  return page.getByRole("navigation", { name: "Main" }).getByRole("link").allInnerTexts();
}

/** The form's error summary (Next's route announcer is an alert too, so pick ours by its heading). */
export function formAlert(page: Page) {
  return page.getByRole("alert").filter({ hasText: "There is a problem" });
}
