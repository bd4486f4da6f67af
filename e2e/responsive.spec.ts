import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./fixtures";

// At 390 px (a phone), no page scrolls sideways: a wide table scrolls inside its own box, and
// nothing (screen-reader-only text in a scroll box, once) stretches the page past the screen.
// Every page is visited as a demo person who may see it; pages of one record are reached through
// the first link to one on their list page.
test.use({ viewport: { width: 390, height: 844 } });

type Visit = string | { from: string; link: string };

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
      { from: "/trusts/RHM", link: 'a[href*="/sites/"][href$="/edit"]' },
      { from: "/trusts/RHM", link: 'a[href*="/departments/"][href$="/edit"]' },
      "/users",
      "/users?view=ending-soon",
      "/users/new",
      "/users/grant",
      "/users/import",
      { from: "/users", link: 'a[href^="/users/"]:not([href$="/new"]):not([href$="/grant"]):not([href$="/import"]):not([href*="?"])' },
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
      { from: "/sharing", link: 'a[href^="/sharing/policies/"]:not([href$="/new"])' },
      { from: "/sharing", link: 'a[href*="/compare"]' },
      "/audit",
      { from: "/audit", link: 'a[href^="/audit/patients/"]' },
      "/audit/alerts",
      { from: "/audit/alerts", link: 'a[href^="/audit/alerts/"]' },
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

/** The address of a visit: a path, or the first link matching `link` on the page `from`. */
async function addressOf(page: Page, visit: Visit): Promise<string> {
  if (typeof visit === "string") return visit;
  await page.goto(visit.from);
  const href = await page.locator(visit.link).first().getAttribute("href");
  expect(href, `a link ${visit.link} on ${visit.from}`).toBeTruthy();
  return href!;
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
      const response = await page.goto(address);
      expect(response?.status(), address).toBeLessThan(400);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      const overflow = await sidewaysOverflow(page);
      if (overflow > 0) overflowing.push(`${address}: ${overflow}px`);
    }
    expect(overflowing).toEqual([]);
  });
}
