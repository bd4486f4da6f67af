import { sql } from "drizzle-orm";
import {
  foreignKey,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

export const trustStatuses = ["onboarding", "active", "offboarded"] as const;
export const siteStatuses = ["active", "closed"] as const;
export const modalities = ["CT", "MR", "CR", "DX", "US", "MG", "NM", "PT", "XA", "RF"] as const;

/** A tenant: one NHS trust, identified to people and machines by its ODS code. */
export const trusts = pgTable(
  "trusts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    odsCode: text("ods_code").notNull(),
    name: text("name").notNull(),
    status: text("status", { enum: trustStatuses }).notNull().default("onboarding"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("trusts_ods_code_key").on(t.odsCode)],
);

/** A hospital of a trust. The trust id leads the key so that every row names its tenant. */
export const sites = pgTable(
  "sites",
  {
    trustId: uuid("trust_id")
      .notNull()
      .references(() => trusts.id),
    id: uuid("id").notNull().defaultRandom(),
    code: text("code").notNull(),
    name: text("name").notNull(),
    town: text("town").notNull(),
    postcode: text("postcode").notNull(),
    status: text("status", { enum: siteStatuses }).notNull().default("active"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.trustId, t.id] }),
    uniqueIndex("sites_id_key").on(t.id),
    uniqueIndex("sites_code_key").on(t.code),
  ],
);

/** A site's imaging department and the modalities it runs. Its site belongs to the same trust (composite key). */
export const departments = pgTable(
  "departments",
  {
    trustId: uuid("trust_id").notNull(),
    id: uuid("id").notNull().defaultRandom(),
    siteId: uuid("site_id").notNull(),
    name: text("name").notNull(),
    modalities: text("modalities").array().notNull().default(sql`'{}'::text[]`),
    status: text("status", { enum: siteStatuses }).notNull().default("active"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.trustId, t.id] }),
    uniqueIndex("departments_id_key").on(t.id),
    uniqueIndex("departments_site_name_key").on(t.siteId, t.name),
    index("departments_trust_site_idx").on(t.trustId, t.siteId),
    foreignKey({ columns: [t.trustId, t.siteId], foreignColumns: [sites.trustId, sites.id] }),
  ],
);

export type Trust = typeof trusts.$inferSelect;
export type Site = typeof sites.$inferSelect;
export type Department = typeof departments.$inferSelect;
