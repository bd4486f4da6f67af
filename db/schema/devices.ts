// DICOM devices: the nodes of a site that store into or read from the archive (scanners,
// workstations, archives). The archive attributes a study to a trust and site by the calling AE
// title of the device that stored it, so an active device's AE title is unique across the whole
// consortium, not only within its trust (dicom_devices_ae_title_key).
import { sql } from "drizzle-orm";
import { check, foreignKey, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { departments, sites, trusts } from "./trusts";

export const deviceKinds = ["modality", "workstation", "archive", "other"] as const;

/** A DICOM device at a site of a trust; retired, never deleted (studies and audit events name it). */
export const dicomDevices = pgTable(
  "dicom_devices",
  {
    trustId: uuid("trust_id")
      .notNull()
      .references(() => trusts.id),
    id: uuid("id").notNull().defaultRandom(),
    siteId: uuid("site_id").notNull(),
    departmentId: uuid("department_id"),
    aeTitle: text("ae_title").notNull(),
    kind: text("kind", { enum: deviceKinds }).notNull(),
    modality: text("modality"),
    host: text("host"),
    description: text("description").notNull().default(""),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    retiredAt: timestamp("retired_at", { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.trustId, t.id] }),
    uniqueIndex("dicom_devices_id_key").on(t.id),
    // Across trusts, and only among devices in service: a retired device's AE title can be reused.
    uniqueIndex("dicom_devices_ae_title_key").on(t.aeTitle).where(sql`retired_at is null`),
    index("dicom_devices_trust_site_idx").on(t.trustId, t.siteId),
    foreignKey({ columns: [t.trustId, t.siteId], foreignColumns: [sites.trustId, sites.id] }),
    foreignKey({ columns: [t.trustId, t.departmentId], foreignColumns: [departments.trustId, departments.id] }),
    check("dicom_devices_kind_modality", sql`${t.kind} <> 'modality' or ${t.modality} is not null`),
  ],
);

export type DicomDevice = typeof dicomDevices.$inferSelect;
