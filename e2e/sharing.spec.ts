import { expect, test, type Browser, type Page } from "@playwright/test";
import { expectAccessible, formAlert, signIn } from "./fixtures";

// The whole sharing story of issue 5, as two Salisbury IG officers live it: draft a new version,
// review it against the active one, approve it as the second officer, see the matrix change,
// simulate, restrict a patient. One test: each step builds on the last.
test.describe.configure({ mode: "serial" });

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email);
  return page;
}

function matrixCell(page: Page, source: string, target: string) {
  return page.locator(`[data-cell="${source}-${target}"]`);
}

async function askSimulator(page: Page, q: { requesterTrust: string; sourceTrust: string; modality: string; purpose: string; nhs?: string }) {
  await page.goto("/sharing/simulator");
  await page.getByLabel("Requester's trust", { exact: true }).selectOption(q.requesterTrust);
  await page.getByLabel("Requester's role", { exact: true }).selectOption("radiologist");
  await page.getByLabel("Trust that owns the study", { exact: true }).selectOption(q.sourceTrust);
  await page.getByLabel("Modality", { exact: true }).selectOption(q.modality);
  await page.getByLabel("Purpose", { exact: true }).selectOption(q.purpose);
  await page.getByLabel("Patient's NHS number (optional)", { exact: true }).fill(q.nhs ?? "");
  // Unticked by default: the rules drafted here require a legitimate relationship.
  await page.getByLabel("The patient has an episode at the requester's trust").check();
  await page.getByRole("button", { name: "Ask" }).click();
  return page.getByTestId("simulator-answer");
}

test("draft, review with differences, approve as a second officer, matrix, simulate, restrict", async ({ browser }) => {
  // Many pages in one story: more time than a single-page test needs.
  test.setTimeout(300_000);
  const author = await signedIn(browser, "ig@rnz.example");

  await test.step("the matrix shows no sharing of Salisbury imaging with the Isle of Wight", async () => {
    await author.goto("/sharing/matrix");
    await expect(author.getByRole("heading", { level: 1 })).toHaveText("Sharing matrix");
    await expect(matrixCell(author, "RNZ", "R1F")).toHaveText("No sharing");
    await expect(matrixCell(author, "RNZ", "RHU")).toContainText("MDT review");
    await expectAccessible(author);
  });

  await test.step("the author drafts a new version that adds R1F and emergencies", async () => {
    await author.goto("/sharing");
    await expectAccessible(author);
    await author.getByRole("link", { name: "Salisbury imaging for regional care" }).click();
    await author.getByRole("button", { name: "Start a new version" }).click();
    await expect(author.getByRole("heading", { level: 1 })).toHaveText(/draft v2/);
    await expectAccessible(author);
    const rule = author.getByTestId("rule-1");
    // A bad input first: no purpose at all is refused beside the field.
    for (const purpose of ["Direct care", "MDT review"]) await rule.getByRole("group", { name: "Purposes of use" }).getByLabel(purpose).uncheck();
    await author.getByRole("button", { name: "Save draft" }).click();
    await expect(formAlert(author)).toBeVisible();
    await expect(author.locator('[id="draft.rules.0.purposes-error"]')).toContainText("Choose at least one of the purposes");
    await expectAccessible(author);
    const fixed = author.getByTestId("rule-1");
    for (const purpose of ["Direct care", "MDT review", "Emergency"]) await fixed.getByRole("group", { name: "Purposes of use" }).getByLabel(purpose).check();
    await fixed.getByRole("group", { name: "Requester trusts" }).getByLabel(/^R1F/).check();
    await author.getByLabel("Note for the reviewer").fill("Adds the Isle of Wight and emergency transfers.");
    await author.getByRole("button", { name: "Save draft" }).click();
    await expect(author.getByRole("status")).toHaveText("The draft was saved.");
    await author.getByRole("button", { name: "Send v2 for approval" }).click();
    await expect(author.getByRole("status")).toHaveText("The draft was sent for approval.");
    // The author cannot approve their own version: the queue says so and offers no review.
    await author.goto("/sharing/approvals");
    await expect(author.getByRole("row", { name: /Salisbury imaging for regional care/ })).toContainText("Yours: another officer approves it");
  });

  const reviewer = await signedIn(browser, "ig2@rnz.example");
  await test.step("the second officer reviews the differences and approves", async () => {
    await reviewer.goto("/sharing/approvals");
    await expectAccessible(reviewer);
    await reviewer.getByRole("link", { name: "Review Salisbury imaging for regional care v2" }).click();
    await expect(reviewer.getByRole("heading", { level: 1 })).toHaveText("Salisbury imaging for regional care: v1 and v2");
    const rule = reviewer.getByRole("table", { name: "Rule 1" });
    await expect(rule.getByRole("row", { name: /Requester trusts/ })).toContainText("RHM, RHU");
    await expect(rule.getByRole("row", { name: /Requester trusts/ })).toContainText("R1F, RHM, RHU");
    await expect(rule.getByRole("row", { name: /Requester trusts/ })).toContainText("Changed");
    await expect(rule.getByRole("row", { name: /Purposes/ })).toContainText("Changed");
    await expect(rule.getByRole("row", { name: /Modalities/ })).toContainText("Same");
    await expectAccessible(reviewer);
    await reviewer.getByRole("button", { name: "Approve v2" }).click();
    await expect(reviewer.getByRole("status")).toHaveText("The version was approved and is now active.");
    await expect(reviewer.getByRole("row", { name: /^v1/ })).toContainText("Superseded");
  });

  await test.step("the matrix changes, and its cell opens the policy behind it", async () => {
    await reviewer.goto("/sharing/matrix");
    await expect(matrixCell(reviewer, "RNZ", "R1F")).toContainText("Emergency");
    await matrixCell(reviewer, "RNZ", "R1F").getByRole("link").click();
    await expect(reviewer).toHaveURL(/\/sharing\?source=RNZ&target=R1F/);
    await expect(reviewer.getByRole("link", { name: "Salisbury imaging for regional care" })).toBeVisible();
  });

  await test.step("the simulator permits an Isle of Wight radiologist, with the rule's reasons", async () => {
    const answer = await askSimulator(reviewer, { requesterTrust: "R1F", sourceTrust: "RNZ", modality: "MR", purpose: "mdt" });
    await expect(answer.getByRole("heading", { level: 2 })).toContainText("Permit");
    await expect(answer).toContainText("Allowed by a rule");
    await expect(answer.getByRole("table", { name: /Salisbury imaging for regional care v2, rule 1/ })).toContainText("Applies");
    await expectAccessible(reviewer);
  });

  await test.step("an IG officer restricts a patient; the simulator then asks for break-glass", async () => {
    await reviewer.goto("/sharing/restrictions");
    await reviewer.getByLabel("NHS number").fill("999 000 0060");
    await reviewer.getByLabel("Reason", { exact: true }).selectOption("safeguarding");
    await reviewer.getByRole("button", { name: "Restrict this patient" }).click();
    await expect(reviewer.locator("#field-nhsNumber-error")).toContainText("not a valid NHS number");
    await expectAccessible(reviewer);
    await reviewer.getByLabel("NHS number").fill("999 000 0069");
    await reviewer.getByLabel("Note (optional)").fill("Safeguarding case SG-2026-007");
    await reviewer.getByRole("button", { name: "Restrict this patient" }).click();
    await expect(reviewer.getByRole("status")).toHaveText("The patient is restricted.");
    await expect(reviewer.getByRole("row", { name: /999 000 0069/ })).toContainText("Safeguarding");
    const answer = await askSimulator(reviewer, { requesterTrust: "R1F", sourceTrust: "RNZ", modality: "MR", purpose: "mdt", nhs: "9990000069" });
    await expect(answer.getByRole("heading", { level: 2 })).toContainText("Break-glass required");
    await expect(answer).toContainText("Patient restricted");
  });

  await test.step("another trust's officer cannot open Salisbury's draft pages", async () => {
    const outsider = await signedIn(browser, "ig@r1f.example");
    await outsider.goto("/sharing");
    const link = outsider.getByRole("link", { name: "Salisbury imaging for regional care" });
    await expect(link).toBeVisible();
    await link.click();
    await expect(outsider.getByRole("button", { name: "Start a new version" })).toHaveCount(0);
    await expect(outsider.getByText("only IG officers of RNZ change this policy")).toBeVisible();
  });
});
