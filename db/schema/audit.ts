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
  // Two trusts' machine clients may send the same event id: the chain is part of the key.
  (t) => [primaryKey({ columns: [t.id, t.chain, t.occurredAt] })],
);

/** The head of each hash chain: the last sequence number and hash written to it. */
export const auditChainHeads = pgTable("audit_chain_heads", {
  chain: text("chain").primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  hash: text("hash").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type AuditEventRow = typeof auditEvents.$inferSelect;

/**
 * Every event id accepted from a machine, per chain (the owning trust's), with a digest of the
 * event's content: a retry with the same content is a duplicate, other content under the same id a
 * conflict. Ids stored before 0017_audit_chain_isolation.sql have no digest.
 */
export const auditEventIds = pgTable(
  "audit_event_ids",
  {
    chain: text("chain").notNull(),
    id: uuid("id").notNull(),
    digest: text("digest"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "audit_event_ids_pkey", columns: [t.chain, t.id] })],
);

export const alertRules = ["break_glass", "no_legitimate_basis", "inactive_user", "restricted_patient", "unusual_volume", "out_of_hours", "storage_quota"] as const;
export const alertStatuses = ["open", "assigned", "closed"] as const;
export const alertResolutions = ["legitimate", "false_positive", "misuse_referred", "training_needed"] as const;

/** Something in the audit trail that needs a human look, owned by the trust whose images were accessed. */
export const auditAlerts = pgTable(
  "audit_alerts",
  {
    trustId: uuid("trust_id").notNull(),
    id: uuid("id").notNull().defaultRandom(),
    rule: text("rule", { enum: alertRules }).notNull(),
    severity: text("severity", { enum: ["high", "medium", "low"] }).notNull(),
    status: text("status", { enum: alertStatuses }).notNull().default("open"),
    summary: text("summary").notNull(),
    eventId: uuid("event_id"),
    eventOccurredAt: timestamp("event_occurred_at", { withTimezone: true }).notNull(),
    actorEmail: text("actor_email"),
    actorTrustId: uuid("actor_trust_id"),
    patientNhsNumber: text("patient_nhs_number"),
    assignedTo: uuid("assigned_to"),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    closedBy: uuid("closed_by"),
    resolution: text("resolution", { enum: alertResolutions }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.trustId, t.id] })],
);

export const auditAlertNotes = pgTable(
  "audit_alert_notes",
  {
    trustId: uuid("trust_id").notNull(),
    id: uuid("id").notNull().defaultRandom(),
    alertId: uuid("alert_id").notNull(),
    authorId: uuid("author_id").notNull(),
    body: text("body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.trustId, t.id] })],
);

export type AuditAlert = typeof auditAlerts.$inferSelect;

/** A signed checkpoint of one chain's head (db/migrations/0006_audit_checkpoints.sql): append-only. */
export const auditCheckpoints = pgTable("audit_checkpoints", {
  id: uuid("id").primaryKey().defaultRandom(),
  chain: text("chain").notNull(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  hash: text("hash").notNull(),
  signedAt: timestamp("signed_at", { withTimezone: true, mode: "date" }).notNull(),
  keyId: text("key_id").notNull(),
  /** Compact JWS (EdDSA) over { chain, seq, hash, signedAt }. */
  signature: text("signature").notNull(),
});

export type AuditCheckpoint = typeof auditCheckpoints.$inferSelect;
