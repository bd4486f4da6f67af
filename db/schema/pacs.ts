// The archive connector (lib/pacs/connector.ts): how far it has followed each archive's change feed,
// and every study it has seen there. The cursor is written in the same transaction as the exams and
// study rows a page of the feed produced, so a crash replays the page whole or not at all.
import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const pacsStudyStatuses = ["recorded", "unattributed", "deleted"] as const;
export const pacsAttributions = ["device", "administrator"] as const;

/** The last change of an archive's feed whose effects are committed (0: nothing yet). */
export const pacsConnectorState = pgTable("pacs_connector_state", {
  archive: text("archive").primaryKey(),
  lastChangeSeq: bigint("last_change_seq", { mode: "number" }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/**
 * A study the archive holds (or held), as the connector found it. `recorded`: attributed to a
 * trust and site, its exam stored through the exam ingest; `unattributed`: kept (never dropped) for
 * a consortium administrator, with the problem that stopped it (an unknown calling AE title, an
 * exam that did not validate); `deleted`: gone from the archive. Trust and site are null until the
 * study is attributed. Keyed by the archive's own id, which is how its feed names deletions.
 */
export const pacsStudies = pgTable(
  "pacs_studies",
  {
    archive: text("archive").notNull(),
    archiveStudyId: text("archive_study_id").notNull(),
    studyInstanceUid: text("study_instance_uid").notNull(),
    accessionNumber: text("accession_number"),
    patientId: text("patient_id"),
    nhsNumber: text("nhs_number"),
    trustId: uuid("trust_id"),
    siteId: uuid("site_id"),
    departmentId: uuid("department_id"),
    callingAeTitle: text("calling_ae_title"),
    modality: text("modality"),
    performedAt: timestamp("performed_at", { withTimezone: true, mode: "date" }),
    instanceCount: integer("instance_count").notNull(),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    status: text("status", { enum: pacsStudyStatuses }).notNull(),
    problem: text("problem"),
    attributedBy: text("attributed_by", { enum: pacsAttributions }),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    primaryKey({ columns: [t.archive, t.archiveStudyId] }),
    index("pacs_studies_study_uid_idx").on(t.studyInstanceUid),
    index("pacs_studies_accession_idx").on(t.accessionNumber),
    index("pacs_studies_status_idx").on(t.status, t.firstSeenAt),
    check("pacs_studies_recorded_attributed", sql`${t.status} <> 'recorded' or (${t.trustId} is not null and ${t.siteId} is not null)`),
    check("pacs_studies_counts_non_negative", sql`${t.instanceCount} >= 0 and ${t.sizeBytes} >= 0`),
  ],
);

export type PacsStudy = typeof pacsStudies.$inferSelect;
