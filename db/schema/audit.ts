// The audit tables are created by hand-written SQL (db/migrations/0001_security.sql): drizzle-kit has
// no word for a partitioned table or its append-only triggers. These definitions give queries types;
// drizzle.config.ts leaves this file out so that drizzle-kit never tries to create or alter them.
import { bigint, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** One audit event: append-only, range-partitioned by month of occurred_at, hash-chained per chain. */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: uuid("id").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true, mode: "date" }).notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "date" }).notNull(),
    chain: text("chain").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
    action: text("action").notNull(),
    outcome: text("outcome").notNull(),
    actorUserId: uuid("actor_user_id"),
    actorEmail: text("actor_email"),
    actorTrustId: uuid("actor_trust_id"),
    actorRole: text("actor_role"),
    sourceTrustId: uuid("source_trust_id"),
    patientNhsNumber: text("patient_nhs_number"),
    studyInstanceUid: text("study_instance_uid"),
    accessionNumber: text("accession_number"),
    modality: text("modality"),
    purpose: text("purpose"),
    policyId: uuid("policy_id"),
    policyVersion: integer("policy_version"),
    breakGlassJustification: text("break_glass_justification"),
    ip: text("ip"),
    workstation: text("workstation"),
    targetType: text("target_type"),
    targetId: text("target_id"),
    details: jsonb("details").$type<Record<string, unknown>>(),
  },
  (t) => [primaryKey({ columns: [t.id, t.occurredAt] })],
);

/** The head of each hash chain: the last sequence number and hash written to it. */
export const auditChainHeads = pgTable("audit_chain_heads", {
  chain: text("chain").primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  hash: text("hash").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type AuditEventRow = typeof auditEvents.$inferSelect;
