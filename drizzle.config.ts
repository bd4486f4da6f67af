import { defineConfig } from "drizzle-kit";

// db/schema/audit.ts is left out on purpose: its tables are hand-written SQL (partitions, triggers).
export default defineConfig({
  dialect: "postgresql",
  schema: ["./db/schema/consortium.ts", "./db/schema/trusts.ts", "./db/schema/identity.ts", "./db/schema/api-clients.ts"],
  out: "./db/migrations",
});
