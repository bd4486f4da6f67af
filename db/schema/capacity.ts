// Capacity: exams, storage quotas and usage, and the rollups the dashboards read.
//
// Exams are a high-volume table (about 1.75 million rows a year): the study instance UID is the
// first column of the primary key (the distribution key if the consortium ever moves to Citus) and
// trust_id the second (a UID is unique within its trust: one trust's never hides another's);
// trust_id is on every row for row-level security, and there are no foreign keys from it to other
// high-volume tables. The rollups are maintained in the same statement as the ingest
// (lib/capacity/ingest.ts) and can be rebuilt from the raw rows (npm run capacity:rebuild-rollups).
//
// "Day" everywhere here is a calendar day in the consortium's time zone (Europe/London); "hour" is
// the start of an hour as an instant (UK offsets are whole hours, so it is also a local hour).
import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const storageTiers = ["online", "archive"] as const;
export const quotaRequestStatuses = ["pending", "approved", "declined"] as const;

/** One imaging exam (study) as the PACS reported it. */
export const exams = pgTable(
  "exams",
  {
    studyInstanceUid: text("study_instance_uid").notNull(),
    trustId: uuid("trust_id").notNull(),
    siteId: uuid("site_id").notNull(),
    accessionNumber: text("accession_number").notNull(),
    modality: text("modality").notNull(),
    performedAt: timestamp("performed_at", { withTimezone: true, mode: "date" }).notNull(),
    imageCount: integer("image_count").notNull(),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    /** The patient, when the archive gave a valid NHS number: the gateway's legitimate relationships. */
    patientNhsNumber: text("patient_nhs_number"),
    /** The calling AE title of the device that stored the study, when the archive reported it. */
    aeTitle: text("ae_title"),
  },
  (t) => [
    primaryKey({ columns: [t.studyInstanceUid, t.trustId] }),
    index("exams_trust_performed_idx").on(t.trustId, t.performedAt),
    index("exams_patient_trust_idx").on(t.patientNhsNumber, t.trustId).where(sql`${t.patientNhsNumber} is not null`),
    // The study look-up by the accession number a clinician quotes (lib/studies).
    index("exams_accession_idx").on(t.accessionNumber, t.trustId),
    check("exams_counts_non_negative", sql`${t.imageCount} >= 0 and ${t.sizeBytes} >= 0`),
  ],
);

/** The storage a trust may use on a tier (online: fast disk; archive: long-term). */
export const storageQuotas = pgTable(
  "storage_quotas",
  {
    trustId: uuid("trust_id").notNull(),
    tier: text("tier", { enum: storageTiers }).notNull(),
    quotaBytes: bigint("quota_bytes", { mode: "number" }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedBy: uuid("updated_by"),
  },
  (t) => [primaryKey({ columns: [t.trustId, t.tier] }), check("storage_quotas_positive", sql`${t.quotaBytes} > 0`)],
);

/** A storage usage snapshot the PACS reported: bytes held by one trust, tier and modality on a date. */
export const storageUsage = pgTable(
  "storage_usage",
  {
    trustId: uuid("trust_id").notNull(),
    tier: text("tier", { enum: storageTiers }).notNull(),
    usageDate: date("usage_date", { mode: "string" }).notNull(),
    modality: text("modality").notNull(),
    bytes: bigint("bytes", { mode: "number" }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.trustId, t.tier, t.usageDate, t.modality] }), check("storage_usage_non_negative", sql`${t.bytes} >= 0`)],
);

/** Rollup: exams and bytes per trust, site, modality and hour (intraday detail; rebuilt like the others). */
export const capacityExamsHourly = pgTable(
  "capacity_exams_hourly",
  {
    trustId: uuid("trust_id").notNull(),
    hour: timestamp("hour", { withTimezone: true, mode: "date" }).notNull(),
    siteId: uuid("site_id").notNull(),
    modality: text("modality").notNull(),
    examCount: bigint("exam_count", { mode: "number" }).notNull(),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.trustId, t.hour, t.siteId, t.modality] }), index("capacity_exams_hourly_hour_idx").on(t.hour)],
);

/** Rollup: exams and bytes per trust, site, modality and day (the daily, weekly, monthly series, the heatmap). */
export const capacityExamsDaily = pgTable(
  "capacity_exams_daily",
  {
    trustId: uuid("trust_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    siteId: uuid("site_id").notNull(),
    modality: text("modality").notNull(),
    examCount: bigint("exam_count", { mode: "number" }).notNull(),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    // Exams in each hour of the (London) day, 0 to 23: the weekday-by-hour heatmap reads these,
    // one row a day instead of 24, so its cost follows the period at any history length.
    hourCounts: integer("hour_counts").array().notNull(),
  },
  (t) => [
    // Read by (trust, day range) through the key only: every read names its trusts (all of them
    // for a consortium-wide caller), so the access path is the same at one year and at eight.
    primaryKey({ columns: [t.trustId, t.day, t.siteId, t.modality] }),
    check("capacity_exams_daily_hours", sql`cardinality(${t.hourCounts}) = 24`),
  ],
);

/**
 * Rollup: the consortium's exams per modality and day, with no trust breakdown. A trust's CIO
 * compares their trust with these totals without seeing any other trust's figures.
 */
export const capacityConsortiumExamsDaily = pgTable(
  "capacity_consortium_exams_daily",
  {
    day: date("day", { mode: "string" }).notNull(),
    modality: text("modality").notNull(),
    examCount: bigint("exam_count", { mode: "number" }).notNull(),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.modality] })],
);

/** Rollup: storage held per trust, tier, modality and day (from the usage snapshots). */
export const capacityStorageDaily = pgTable(
  "capacity_storage_daily",
  {
    trustId: uuid("trust_id").notNull(),
    tier: text("tier", { enum: storageTiers }).notNull(),
    day: date("day", { mode: "string" }).notNull(),
    modality: text("modality").notNull(),
    bytes: bigint("bytes", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.trustId, t.tier, t.day, t.modality] }), index("capacity_storage_daily_day_idx").on(t.day)],
);

/** Rollup: the consortium's storage per tier and day, with no trust breakdown. */
export const capacityConsortiumStorageDaily = pgTable(
  "capacity_consortium_storage_daily",
  {
    tier: text("tier", { enum: storageTiers }).notNull(),
    day: date("day", { mode: "string" }).notNull(),
    bytes: bigint("bytes", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tier, t.day] })],
);

/**
 * Rollup: successful study views per day by staff of one trust (actor) of another trust's imaging
 * (source), from the audit trail; a trigger on audit_events keeps it (hand-written migration).
 */
export const capacityCrossTrustDaily = pgTable(
  "capacity_cross_trust_daily",
  {
    sourceTrustId: uuid("source_trust_id").notNull(),
    actorTrustId: uuid("actor_trust_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    viewCount: bigint("view_count", { mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.sourceTrustId, t.actorTrustId, t.day] }),
    index("capacity_cross_trust_daily_day_idx").on(t.day),
  ],
);

/** A PACS manager's request to change a trust's quota on a tier, and a CIO's decision on it. */
export const quotaChangeRequests = pgTable(
  "quota_change_requests",
  {
    trustId: uuid("trust_id").notNull(),
    id: uuid("id").notNull().defaultRandom(),
    tier: text("tier", { enum: storageTiers }).notNull(),
    currentQuotaBytes: bigint("current_quota_bytes", { mode: "number" }),
    requestedQuotaBytes: bigint("requested_quota_bytes", { mode: "number" }).notNull(),
    reason: text("reason").notNull(),
    status: text("status", { enum: quotaRequestStatuses }).notNull().default("pending"),
    requestedBy: uuid("requested_by").notNull(),
    requestedAt: timestamp("requested_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    decidedBy: uuid("decided_by"),
    decidedAt: timestamp("decided_at", { withTimezone: true, mode: "date" }),
    decisionNote: text("decision_note"),
  },
  (t) => [
    primaryKey({ columns: [t.trustId, t.id] }),
    index("quota_change_requests_status_idx").on(t.status, t.requestedAt),
    check("quota_change_requests_positive", sql`${t.requestedQuotaBytes} > 0`),
  ],
);

export type Exam = typeof exams.$inferSelect;
export type StorageQuota = typeof storageQuotas.$inferSelect;
export type QuotaChangeRequest = typeof quotaChangeRequests.$inferSelect;
