import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3100);
// localhost, not 127.0.0.1: Next names a request by its own host, and single sign-on needs the
// browser, AUTH_URL and the server to agree on one address.
const baseURL = `http://localhost:${port}`;
// e2e/run.ts makes a fresh server database when TEST_DATABASE_URL is set.
const databaseUrl = process.env.E2E_DATABASE_URL;
const pgPort = port + 1;
const pgBaseURL = `http://localhost:${pgPort}`;
// A real OpenID Connect provider on localhost for the single sign-on spec (e2e/oidc-provider.ts).
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? port + 20);

// e2e/run.ts finds a Chromium (the system one, never a download) and resets the e2e database.
const executablePath = process.env.MOSAIC_CHROMIUM || undefined;
// Every spec signs in from 127.0.0.1, many times a minute as the same demo people: the sign-in
// rate limits (tested in tests/integration/rate-limit.test.ts) would refuse the suite itself.
const generousSignInLimits = { RATE_LIMIT_SIGN_IN_PER_ACCOUNT: "100000", RATE_LIMIT_SIGN_IN_PER_ADDRESS: "100000" };
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
    { name: "embedded", use: { baseURL }, testIgnore: ["**/*.server.spec.ts", "**/ig-work.spec.ts"] },
    // The IG work list closes RNZ's newest alerts in bulk, which audit.spec.ts works one by one: run
    // after the others so that no spec closes one of them meanwhile (that is a conflict, correctly).
    { name: "embedded-ig-work", use: { baseURL }, testMatch: "**/ig-work.spec.ts", dependencies: ["embedded"] },
    ...(databaseUrl ? [{ name: "server", use: { baseURL: pgBaseURL }, testMatch: "**/*.server.spec.ts" }] : []),
  ],
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
      // The real `npm start` path: start the embedded PostgreSQL, migrate, seed the demo, serve the
      // production build; stopped with SIGTERM, so that it stops its PostgreSQL too.
      command: "npx tsx --conditions=react-server scripts/start.ts",
      url: `${baseURL}/api/health`,
      reuseExistingServer: false,
      timeout: 600_000,
      gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
      stdout: "ignore",
      stderr: "pipe",
      env: {
        PORT: String(port),
        MOSAIC_DATA_DIR: process.env.E2E_DATA_DIR ?? ".data/e2e",
        AUTH_SECRET: secret,
        DATABASE_URL: "",
        // The public address: single sign-on's redirect address must be the same when it starts (a
        // server action, where Auth.js otherwise assumes https) and when the provider calls back.
        AUTH_URL: baseURL,
        OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`,
        OIDC_CLIENT_ID: "mosaic-e2e",
        OIDC_CLIENT_SECRET: "mosaic-e2e-secret-not-for-any-real-deployment",
        OIDC_NAME: "NHS Care Identity (test)",
        ...generousSignInLimits,
        // The Orthanc e2e/run.ts started (none where it is not installed): the connector job that
        // scripts/start.ts runs beside the portal follows it, and the DICOMweb gateway fronts it.
        ...(process.env.E2E_ORTHANC_URL
          ? { ORTHANC_URL: process.env.E2E_ORTHANC_URL, ORTHANC_USERNAME: process.env.E2E_ORTHANC_USERNAME ?? "", ORTHANC_PASSWORD: process.env.E2E_ORTHANC_PASSWORD ?? "" }
          : {}),
      },
    },
    ...(databaseUrl
      ? [
          {
            command: "npx tsx --conditions=react-server scripts/start.ts",
            url: `${pgBaseURL}/api/health`,
            reuseExistingServer: false,
            timeout: 600_000,
            stdout: "ignore" as const,
            stderr: "pipe" as const,
            env: {
              PORT: String(pgPort),
              DATABASE_URL: databaseUrl,
              AUTH_SECRET: secret,
              AUTH_URL: pgBaseURL,
              MOSAIC_DATA_DIR: ".data/e2e-server",
              AUDIT_WITNESS_DIR: ".data/e2e-server/audit-witness",
              ...generousSignInLimits,
            },
          },
        ]
      : []),
  ],
});
