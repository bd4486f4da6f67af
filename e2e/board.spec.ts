// The CIO's one-page capacity summary for a board (issue 12): scoped like every capacity page,
// charts with their tables, printable, accessible.
import { expect, test } from "@playwright/test";
import { expectAccessible, signIn } from "./fixtures";

test("the consortium's CIO prints a one-page capacity summary for the board", async ({ page }) => {
  await signIn(page, "cio@consortium.example");
  await page.getByRole("link", { name: "Board summary" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Capacity summary for the board" })).toBeVisible();
  await expect(page.getByTestId("board-run-rate")).toContainText("exams a year");
  await expect(page.getByText(/of the contracted 1,750,000/)).toBeVisible();
  const runway = page.getByRole("table", { name: "Storage runway per trust and tier, as last reported" });
  for (const ods of ["RHM", "RHU", "RNZ", "R1F"]) await expect(runway).toContainText(ods);
  await expect(page.getByRole("heading", { name: /Exams per month/ })).toBeVisible();
  await expect(page.getByRole("button", { name: "Print this summary" })).toBeVisible();
  await expectAccessible(page);
  // On paper: the portal's header and the buttons are left off.
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("button", { name: "Print this summary" })).toBeHidden();
  await expect(page.getByRole("banner")).toBeHidden();
});

test("a trust's CIO sees their own trust's runway only; a PACS manager without capacity figures gets no board", async ({ browser }) => {
  const cio = await (await browser.newContext()).newPage();
  await signIn(cio, "cio@rhm.example");
  await cio.goto("/board");
  const runway = cio.getByRole("table", { name: "Storage runway per trust and tier, as last reported" });
  await expect(runway).toContainText("RHM");
  for (const other of ["RHU", "RNZ", "R1F"]) await expect(runway).not.toContainText(`(${other})`);
  await expectAccessible(cio);

  const ig = await (await browser.newContext()).newPage();
  await signIn(ig, "ig@rnz.example");
  const response = await ig.goto("/board");
  expect(response?.status()).toBe(404);
});
