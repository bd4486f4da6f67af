import { sql } from "drizzle-orm";
import { bigint, check, foreignKey, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { departments, trusts } from "./trusts";

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
    // TOTP second factor: the secret sealed with a key derived from AUTH_SECRET (lib/identity/secret-box.ts),
    // in force once confirmed; the last accepted time step stops a code being replayed.
    totpSecret: text("totp_secret"),
    totpConfirmedAt: timestamp("totp_confirmed_at", { withTimezone: true }),
    totpLastStep: bigint("totp_last_step", { mode: "number" }),
    // SHA-256 of each unused recovery code; using one removes it.
    recoveryCodeHashes: text("recovery_code_hashes").array().notNull().default(sql`'{}'::text[]`),
    // The single sign-on identity linked to this account: "<issuer>|<subject>".
    externalSubject: text("external_subject"),
    // A leaving date in the future: the instant they become a leaver (00:00 London after their last day).
    leavesAt: timestamp("leaves_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(t.email),
    uniqueIndex("users_external_subject_key").on(t.externalSubject),
    index("users_home_trust_idx").on(t.homeTrustId),
    // The users list pages by (name, id) with a keyset cursor.
    index("users_name_id_idx").on(t.name, t.id),
    index("users_leaves_at_idx").on(t.leavesAt).where(sql`${t.leavesAt} is not null`),
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
    // Where at the trust the person works (optional); the department belongs to the same trust.
    departmentId: uuid("department_id"),
    // NHS national RBAC job-role code of a clinical role (e.g. R8000), matched against a CIS2 sign-in.
    jobRoleCode: text("job_role_code"),
    validFrom: timestamp("valid_from", { withTimezone: true }).notNull().defaultNow(),
    validUntil: timestamp("valid_until", { withTimezone: true }),
    grantedBy: uuid("granted_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedBy: uuid("revoked_by").references(() => users.id),
  },
  (t) => [
    index("role_assignments_user_idx").on(t.userId),
    index("role_assignments_trust_idx").on(t.trustId),
    index("role_assignments_trust_until_idx").on(t.trustId, t.validUntil),
    foreignKey({ columns: [t.trustId, t.departmentId], foreignColumns: [departments.trustId, departments.id] }),
    check("role_assignments_job_role_code", sql`${t.jobRoleCode} is null or ${t.jobRoleCode} ~ '^R[0-9]{4}$'`),
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

export const passwordTokenPurposes = ["invite", "reset"] as const;

/**
 * A single-use link to set a password. Only the SHA-256 of the token is stored: the token itself
 * is shown once to the manager who made it. `trust_id` is the trust the manager acted for.
 */
export const passwordTokens = pgTable(
  "password_tokens",
  {
    trustId: uuid("trust_id").references(() => trusts.id),
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    tokenHash: text("token_hash").notNull(),
    purpose: text("purpose", { enum: passwordTokenPurposes }).notNull(),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("password_tokens_hash_key").on(t.tokenHash), index("password_tokens_user_idx").on(t.userId)],
);

export type User = typeof users.$inferSelect;
export type RoleAssignment = typeof roleAssignments.$inferSelect;
export type UserSession = typeof userSessions.$inferSelect;
