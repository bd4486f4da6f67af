import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3100);
// localhost, not 127.0.0.1: Next names the request by its own host, and single sign-on needs
// the browser, AUTH_URL and the server to agree on one address.
const baseURL = `http://localhost:${port}`;
// A real OpenID Connect provider on localhost for the single sign-on spec (e2e/oidc-provider.ts).
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? port + 20);

// e2e/run.ts finds a Chromium (the system one, never a download) and resets the e2e database.
const executablePath = process.env.MOSAIC_CHROMIUM || undefined;

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    baseURL,
    trace: "on-first-retry",
    contextOptions: { reducedMotion: "reduce" },
    ...devices["Desktop Chrome"],
    launchOptions: {
      executablePath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
    },
  },
  webServer: [
    {
      command: "npx tsx e2e/oidc-provider.ts",
      url: `http://127.0.0.1:${oidcPort}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "pipe",
      env: { OIDC_PORT: String(oidcPort), E2E_PORT: String(port) },
    },
    {
      // The real `npm start` path: migrate, seed the demo, serve the production build.
      command: "npx tsx --conditions=react-server scripts/start.ts",
      url: `${baseURL}/api/health`,
      reuseExistingServer: false,
      timeout: 600_000,
      stdout: "ignore",
      stderr: "pipe",
      env: {
        PORT: String(port),
        PGLITE_DIR: process.env.E2E_PGLITE_DIR ?? ".data/e2e/pglite",
        AUTH_SECRET: "e2e-only-secret-not-for-any-real-deployment-000",
        DATABASE_URL: "",
        // The public address: single sign-on's redirect address must be the same when it starts (a
        // server action, where Auth.js otherwise assumes https) and when the provider calls back.
        AUTH_URL: baseURL,
        OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`,
        OIDC_CLIENT_ID: "mosaic-e2e",
        OIDC_CLIENT_SECRET: "mosaic-e2e-secret-not-for-any-real-deployment",
        OIDC_NAME: "NHS Care Identity (test)",
      },
    },
  ],
});
