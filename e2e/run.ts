// Runs the Playwright suite in Chromium without ever downloading a browser where one is installed:
// Debian's /usr/bin/chromium (or MOSAIC_CHROMIUM). Where there is none, it tries
// `playwright install chromium` (works with internet access) and otherwise says how to get one.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "@playwright/test";
import postgres from "postgres";
import { runningEmbedded } from "../db/embedded";
import { buildIfNeeded } from "../scripts/build-if-needed";
import { stopEmbeddedServer } from "../scripts/embedded-postgres";
import { skipWithoutOrthanc, startOrthanc, type RunningOrthanc } from "../tests/helpers/orthanc";

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

// A fresh embedded PostgreSQL for every run, in the e2e portal's own data folder (its API key and
// witness beside it): the portal's npm start makes it and seeds the demo consortium into it.
const dataDir = path.resolve(process.env.E2E_DATA_DIR ?? ".data/e2e");
// A server left running by a run that was killed is stopped first.
const stopLeftover = async () => {
  if (runningEmbedded(dataDir)) await stopEmbeddedServer(dataDir);
};
await stopLeftover();
fs.rmSync(path.join(dataDir, "postgres"), { recursive: true, force: true });

// Build once here: the servers Playwright starts would otherwise race to build the same folder.
await buildIfNeeded();

// With a PostgreSQL server (TEST_DATABASE_URL), a second portal runs on a fresh database of its
// own, for the specs that need to reach into the database (tampering with the audit trail).
let e2eDatabaseUrl: string | undefined;
let dropDatabase = async () => {};
if (process.env.TEST_DATABASE_URL) {
  const name = `mosaic_e2e_${Date.now().toString(36)}`;
  const admin = postgres(process.env.TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(process.env.TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  e2eDatabaseUrl = url.toString();
  dropDatabase = async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
}

// A real Orthanc (the system package) for e2e/pacs.spec.ts: the portal's connector job follows it
// and its gateway fronts it (playwright.config.ts passes it to the portal as ORTHANC_URL), and the
// spec stores a study into it over DICOM. Left out only where the binaries are missing and CI is
// unset (the spec is then skipped); in CI a missing binary fails the run here.
const orthanc: RunningOrthanc | null = skipWithoutOrthanc() ? null : await startOrthanc({ name: "Mosaic e2e archive" });
const orthancEnv = orthanc
  ? {
      E2E_ORTHANC_URL: orthanc.url,
      E2E_ORTHANC_USERNAME: orthanc.username,
      E2E_ORTHANC_PASSWORD: orthanc.password,
      E2E_ORTHANC_AET: orthanc.aet,
      E2E_ORTHANC_DICOM_PORT: String(orthanc.dicomPort),
    }
  : {};

let status = 0;
try {
  execFileSync(process.execPath, [path.resolve("node_modules/@playwright/test/cli.js"), "test", ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, ...orthancEnv, MOSAIC_CHROMIUM: executable, E2E_DATA_DIR: dataDir, ...(e2eDatabaseUrl ? { E2E_DATABASE_URL: e2eDatabaseUrl } : {}) },
  });
} catch (error) {
  status = (error as { status?: number }).status ?? 1;
} finally {
  await dropDatabase();
  await stopLeftover();
  await orthanc?.stop();
}
process.exit(status);
