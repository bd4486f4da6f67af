import { bigint, boolean, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** The consortium: exactly one row. */
export const consortium = pgTable("consortium", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  contractedAnnualExams: bigint("contracted_annual_exams", { mode: "number" }).notNull(),
  // Set by the demo seed only; the seed refuses to touch a database without it that has users.
  isDemo: boolean("is_demo").notNull().default(false),
  // Consortium setting: people holding a portal role must sign in with a second factor (TOTP).
  requireMfaForPortalRoles: boolean("require_mfa_for_portal_roles").notNull().default(false),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export type Consortium = typeof consortium.$inferSelect;
