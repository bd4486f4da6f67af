import path from "node:path";
import { defineConfig } from "vitest/config";

// Integration tests run once per database: always PGlite, and the PostgreSQL server too when
// TEST_DATABASE_URL is set. Each test file gets a fresh database (tests/helpers/database.ts).
const databases = ["pglite", ...(process.env.TEST_DATABASE_URL ? ["postgres"] : [])];

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
          setupFiles: ["tests/helpers/database.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      })),
    ],
  },
});
