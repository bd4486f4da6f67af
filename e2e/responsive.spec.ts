import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./fixtures";

// At 390 px (a phone), no page scrolls sideways: a wide table scrolls inside its own box, and
// nothing (screen-reader-only text in a scroll box, once) stretches the page past the screen.
// Every page is visited as a demo person who may see it; pages of one record are reached through
// the first link to one on their list page.
test.use({ viewport: { width: 390, height: 844 } });

/** A path, or the pages reached from `from` by following, in turn, the first link whose path matches each pattern. */
type Visit = string | { from: string; links: RegExp[]; optional?: boolean };

const id = "[0-9a-f-]{36}";
const policyPage = new RegExp(`^/sharing/policies/${id}$`);

const people: { email: string; pages: Visit[] }[] = [
  {
    email: "admin@consortium.example",
    pages: [
      "/",
      "/trusts",
      "/trusts/new",
      "/trusts/RHM",
      "/trusts/RHM/edit",
      "/trusts/RHM/sites/new",
      "/trusts/RHM/departments/new",
      { from: "/trusts/RHM", links: [new RegExp(`^/trusts/RHM/sites/${id}/edit$`)] },
      { from: "/trusts/RHM", links: [new RegExp(`^/trusts/RHM/departments/${id}/edit$`)] },
      "/users",
      "/users?view=ending-soon",
      "/users/new",
      "/users/grant",
      "/users/import",
      { from: "/users", links: [new RegExp(`^/users/${id}$`)] },
      { from: "/users", links: [new RegExp(`^/users/${id}$`), new RegExp(`^/users/${id}/edit$`)] },
      "/throughput",
      "/storage",
      "/audit/verify",
      "/settings/api-clients",
      "/settings/security",
      "/account/mfa",
    ],
  },
  {
    email: "ig@consortium.example",
    pages: [
      "/",
      "/sharing",
      "/sharing/matrix",
      "/sharing/approvals",
      "/sharing/restrictions",
      "/sharing/policies/new",
      "/sharing/simulator",
      "/sharing/simulator?requesterTrust=RHU&requesterRole=radiologist&sourceTrust=RHM&modality=MR&studyDate=2024-05-01&purpose=direct_care",
      { from: "/sharing", links: [policyPage] },
      { from: "/sharing", links: [policyPage, new RegExp(`^/sharing/policies/${id}/compare$`)] },
      "/audit",
      // The audit page lists the last 30 days: the demo's history may hold no patient event there yet.
      { from: "/audit", links: [/^\/audit\/patients\/\d{10}$/], optional: true },
      "/audit/alerts",
      // The demo's history may raise no alert before this runs: then there is no alert page to visit.
      { from: "/audit/alerts", links: [new RegExp(`^/audit/alerts/${id}$`)], optional: true },
      "/users",
    ],
  },
  { email: "pacs@rhu.example", pages: ["/", "/trusts/RHU", "/users", "/throughput", "/storage"] },
  { email: "cio@rhm.example", pages: ["/", "/throughput", "/storage"] },
];


/** How far the page scrolls sideways (0 when it does not). */
async function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
}

/** The address of a visit: a path, or where its links lead from its first page. */
async function addressOf(page: Page, visit: Visit): Promise<string | null> {
  if (typeof visit === "string") return visit;
  let address = visit.from;
  for (const pattern of visit.links) {
    await page.goto(address);
    const hrefs = await page.locator("a[href]").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
    const next = hrefs.find((href) => pattern.test(href.split("?")[0] ?? ""));
    if (!next && visit.optional) {
      test.info().annotations.push({ type: "skipped page", description: `no link to ${pattern} on ${address}` });
      return null;
    }
    expect(next, `a link to ${pattern} on ${address}`).toBeTruthy();
    address = next!;
  }
  return address;
}

test("the sign-in page does not scroll sideways at 390 px", async ({ page }) => {
  await page.goto("/sign-in");
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
});

for (const person of people) {
  test(`no page scrolls sideways at 390 px for ${person.email}`, async ({ page }) => {
    test.setTimeout(180_000);
    await signIn(page, person.email);
    const overflowing: string[] = [];
    for (const visit of person.pages) {
      const address = await addressOf(page, visit);
      if (!address) continue;
      const response = await page.goto(address);
      expect(response?.status(), address).toBeLessThan(400);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      const overflow = await sidewaysOverflow(page);
      if (overflow > 0) overflowing.push(`${address}: ${overflow}px`);
    }
    expect(overflowing).toEqual([]);
  });
}
