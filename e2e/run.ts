// Runs the Playwright suite in Chromium without ever downloading a browser where one is installed:
// Debian's /usr/bin/chromium (or MOSAIC_CHROMIUM). Where there is none, it tries
// `playwright install chromium` (works with internet access) and otherwise says how to get one.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "@playwright/test";

function findChromium(): string | undefined {
  const candidates = [process.env.MOSAIC_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  return candidates.find((c): c is string => Boolean(c && fs.existsSync(c)));
}

let executable = findChromium();
if (!executable) {
  console.log("No system Chromium found; trying `playwright install chromium`…");
  const install = spawnSync(process.execPath, [path.resolve("node_modules/@playwright/test/cli.js"), "install", "chromium"], { stdio: "inherit" });
  const bundled = chromium.executablePath();
  if (install.status === 0 && fs.existsSync(bundled)) executable = bundled;
}
if (!executable) {
  console.error(
    "The end-to-end tests need Chromium and none could be found or downloaded.\n" +
      "Install one (Debian/Ubuntu: sudo apt-get install -y chromium) or set MOSAIC_CHROMIUM to a Chrome/Chromium binary.",
  );
  process.exit(1);
}

// A fresh embedded database for every run: the server seeds the demo consortium into it.
const dataDir = path.resolve(process.env.E2E_PGLITE_DIR ?? ".data/e2e/pglite");
fs.rmSync(dataDir, { recursive: true, force: true });
fs.rmSync(`${dataDir}.lock`, { force: true });

try {
  execFileSync(process.execPath, [path.resolve("node_modules/@playwright/test/cli.js"), "test", ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, MOSAIC_CHROMIUM: executable, E2E_PGLITE_DIR: dataDir },
  });
} catch (error) {
  process.exit((error as { status?: number }).status ?? 1);
}
