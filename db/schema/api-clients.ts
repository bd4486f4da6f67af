import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./identity";
import { trusts } from "./trusts";

export const apiScopes = ["audit:write", "audit:read", "exams:write", "storage:write", "decisions:read"] as const;

/** A machine client (a PACS, an audit forwarder) of one trust, or of the consortium when trust_id is null. */
export const apiClients = pgTable(
  "api_clients",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    trustId: uuid("trust_id").references(() => trusts.id),
    name: text("name").notNull(),
    scopes: text("scopes").array().notNull().default(sql`'{}'::text[]`),
    status: text("status", { enum: ["active", "revoked"] }).notNull().default("active"),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokeReason: text("revoke_reason"),
  },
  (t) => [index("api_clients_trust_idx").on(t.trustId)],
);

/**
 * A key of a client. Only a SHA-256 of the key is stored (keys are 256-bit random, so a fast hash
 * is as safe as a slow one and keeps every request cheap); the prefix finds the row.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clientId: uuid("client_id")
      .notNull()
      .references(() => apiClients.id),
    // Copied from the client so that row-level security can scope keys without a join.
    trustId: uuid("trust_id").references(() => trusts.id),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull(),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("api_keys_prefix_key").on(t.prefix), index("api_keys_client_idx").on(t.clientId)],
);

export type ApiClient = typeof apiClients.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
