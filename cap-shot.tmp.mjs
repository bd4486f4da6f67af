import { chromium } from "@playwright/test";
const [,, email, ...paths] = process.argv;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
page.on("requestfailed", (r) => console.log("failed", r.url())); page.on("response", (r) => { if (r.status() >= 400) console.log("status", r.status(), r.url()); });
page.on("pageerror", (e) => console.log("pageerror", e.message.slice(0, 400)));
page.on("console", (m) => { if (m.type() === "error" && !m.text().includes("WebSocket")) console.log("console:", m.text().slice(0, 300)); });
const base = "http://localhost:3600";
await page.goto(base + "/sign-in", { timeout: 120000 });
await page.getByLabel("Email address").fill(email);
await page.getByLabel("Password").fill("mosaic-demo-password");
await page.getByRole("button", { name: "Sign in" }).click();
await page.getByRole("button", { name: "Sign out" }).waitFor({ timeout: 120000 });
for (const p of paths) {
  const t = Date.now();
  const res = await page.goto(base + p, { timeout: 180000 });
  await page.waitForTimeout(Number(process.env.WAIT ?? 1500));
  const name = p.replace(/[^a-z0-9]/gi, "_");
  await page.screenshot({ path: `/tmp/cap-${name}.png`, fullPage: true });
  console.log(p, res.status(), Date.now() - t, "ms");
}
await browser.close();
