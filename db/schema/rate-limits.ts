import { index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Rate-limit counters (lib/rate-limit.ts), shared by every app instance: points consumed under a
 * key ("sign-in-account:<email>", "api-key:<key id>", …) in the window that ends at `expire`
 * (null: never). UNLOGGED in its migration: a counter is worthless after a crash, and skipping
 * the WAL keeps a write per API request cheap.
 */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").primaryKey(),
    points: integer("points").notNull(),
    expire: timestamp("expire", { withTimezone: true }),
  },
  (t) => [index("rate_limits_expire_idx").on(t.expire)],
);
