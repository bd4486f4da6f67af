import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { trusts } from "./trusts";

export const userStatuses = ["active", "suspended", "left"] as const;

/** One person. The email is stored lower-case; the password hash never leaves lib/. */
export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    homeTrustId: uuid("home_trust_id").references(() => trusts.id),
    status: text("status", { enum: userStatuses }).notNull().default("active"),
    passwordHash: text("password_hash"),
    failedSignIns: integer("failed_sign_ins").notNull().default(0),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    lastSignInAt: timestamp("last_sign_in_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(t.email),
    index("users_home_trust_idx").on(t.homeTrustId),
    check("users_email_lower", sql`${t.email} = lower(${t.email})`),
  ],
);

/**
 * A role held by a user, at one trust or (trust_id null) across the consortium, for a window of
 * time. Rotations are windows; a revoked assignment keeps its row for the record.
 */
export const roleAssignments = pgTable(
  "role_assignments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    role: text("role").notNull(),
    trustId: uuid("trust_id").references(() => trusts.id),
    validFrom: timestamp("valid_from", { withTimezone: true }).notNull().defaultNow(),
    validUntil: timestamp("valid_until", { withTimezone: true }),
    grantedBy: uuid("granted_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    index("role_assignments_user_idx").on(t.userId),
    index("role_assignments_trust_idx").on(t.trustId),
    check("role_assignments_window", sql`${t.validUntil} is null or ${t.validUntil} > ${t.validFrom}`),
  ],
);

/** A signed-in browser session; the JWT cookie only points here so that it can be ended server-side. */
export const userSessions = pgTable(
  "user_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    endReason: text("end_reason"),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("user_sessions_user_idx").on(t.userId)],
);

export type User = typeof users.$inferSelect;
export type RoleAssignment = typeof roleAssignments.$inferSelect;
export type UserSession = typeof userSessions.$inferSelect;
