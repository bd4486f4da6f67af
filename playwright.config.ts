import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// e2e/run.ts makes a fresh server database when TEST_DATABASE_URL is set.
const databaseUrl = process.env.E2E_DATABASE_URL;
const pgPort = port + 1;

// e2e/run.ts finds a Chromium (the system one, never a download) and resets the e2e database.
const executablePath = process.env.MOSAIC_CHROMIUM || undefined;
const secret = "e2e-only-secret-not-for-any-real-deployment-000";

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    trace: "on-first-retry",
    contextOptions: { reducedMotion: "reduce" },
    ...devices["Desktop Chrome"],
    launchOptions: {
      executablePath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
    },
  },
  projects: [
    { name: "embedded", use: { baseURL }, testIgnore: "**/*.server.spec.ts" },
    ...(databaseUrl ? [{ name: "server", use: { baseURL: `http://127.0.0.1:${pgPort}` }, testMatch: "**/*.server.spec.ts" }] : []),
  ],
  webServer: [
    {
      // The real `npm start` path: migrate, seed the demo, serve the production build.
      command: "npx tsx --conditions=react-server scripts/start.ts",
      url: `${baseURL}/api/health`,
      reuseExistingServer: false,
      timeout: 600_000,
      stdout: "ignore",
      stderr: "pipe",
      env: { PORT: String(port), PGLITE_DIR: process.env.E2E_PGLITE_DIR ?? ".data/e2e/pglite", AUTH_SECRET: secret, DATABASE_URL: "" },
    },
    ...(databaseUrl
      ? [
          {
            command: "npx tsx --conditions=react-server scripts/start.ts",
            url: `http://127.0.0.1:${pgPort}/api/health`,
            reuseExistingServer: false,
            timeout: 600_000,
            stdout: "ignore" as const,
            stderr: "pipe" as const,
            env: { PORT: String(pgPort), DATABASE_URL: databaseUrl, AUTH_SECRET: secret, MOSAIC_DATA_DIR: ".data/e2e-server" },
          },
        ]
      : []),
  ],
});
