import path from "node:path";
import { defineConfig } from "vitest/config";

// Integration tests run once per database: always on the embedded PostgreSQL (started for the run),
// and on the PostgreSQL server too when TEST_DATABASE_URL is set. Each run migrates one template
// database (tests/helpers/global-database.ts); each test file gets a fresh copy of it
// (tests/helpers/database.ts).
const databases = ["embedded", ...(process.env.TEST_DATABASE_URL ? ["server"] : [])];

const shared = {
  resolve: {
    alias: {
      "@": path.resolve(__dirname),
      // Next's guard against client imports; in tests every module is server-side.
      "server-only": path.resolve(__dirname, "tests/helpers/server-only.ts"),
    },
  },
};

export default defineConfig({
  test: {
    projects: [
      { ...shared, test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" } },
      ...databases.map((db) => ({
        ...shared,
        test: {
          name: `integration-${db}`,
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          env: { MOSAIC_TEST_DB: db },
          globalSetup: ["tests/helpers/global-database.ts"],
          setupFiles: ["tests/helpers/database.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      })),
    ],
  },
});
