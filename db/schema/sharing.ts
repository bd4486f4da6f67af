import { sql } from "drizzle-orm";
import { bigint, check, foreignKey, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

import { users } from "./identity";
import { trusts } from "./trusts";

// The closed lists of this schema's columns. lib/vocabulary.ts is where the rest of Mosaic reads them.
/** A policy version's life: never edited once it leaves draft. */
export const versionStatuses = ["draft", "pending_approval", "active", "superseded", "revoked"] as const;
export type VersionStatus = (typeof versionStatuses)[number];

export const ruleEffects = ["permit", "deny"] as const;
export type RuleEffect = (typeof ruleEffects)[number];

/** Why an IG officer restricts a patient's NHS number. */
export const restrictionReasons = ["objection", "safeguarding", "vip"] as const;
export type RestrictionReason = (typeof restrictionReasons)[number];

/** One rule of a policy version, stored in the version's `rules` column (a version is one immutable value). */
export type StoredRule = {
  /** Stable across versions, so that a new version can be compared rule by rule with the last. */
  id: string;
  effect: RuleEffect;
  /** ODS codes (an ODS code never changes). */
  targetTrusts: string[];
  requesterRoles: string[];
  modalities: string[];
  purposes: string[];
  maxStudyAgeYears: number | null;
  requiresRelationship: boolean;
  breakGlassAllowed: boolean;
};

/** A sharing policy, owned by the source trust that controls the images it shares. */
export const sharingPolicies = pgTable(
  "sharing_policies",
  {
    trustId: uuid("trust_id")
      .notNull()
      .references(() => trusts.id),
    id: uuid("id").notNull().defaultRandom(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.trustId, t.id] }), uniqueIndex("sharing_policies_id_key").on(t.id), uniqueIndex("sharing_policies_trust_name_key").on(t.trustId, t.name)],
);

/**
 * A version of a policy: draft → pending_approval → active → superseded | revoked. Only a draft's
 * content may change (a trigger refuses anything else); approval is by another officer than the
 * author (a check constraint, and lib/sharing/commands.ts). `target_trust_ids` repeats the rules'
 * target trusts as ids so that row-level security can show a published version to its targets.
 */
export const sharingPolicyVersions = pgTable(
  "sharing_policy_versions",
  {
    trustId: uuid("trust_id").notNull(),
    id: uuid("id").notNull().defaultRandom(),
    policyId: uuid("policy_id").notNull(),
    version: integer("version").notNull(),
    status: text("status", { enum: versionStatuses }).notNull().default("draft"),
    effectiveFrom: timestamp("effective_from", { withTimezone: true, mode: "date" }).notNull(),
    effectiveUntil: timestamp("effective_until", { withTimezone: true, mode: "date" }),
    rules: jsonb("rules").$type<StoredRule[]>().notNull(),
    targetTrustIds: uuid("target_trust_ids").array().notNull().default(sql`'{}'::uuid[]`),
    changeNote: text("change_note").notNull().default(""),
    createdBy: uuid("created_by")
      .notNull()
      .references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    submittedAt: timestamp("submitted_at", { withTimezone: true }),
    approvedBy: uuid("approved_by").references(() => users.id),
    approvedAt: timestamp("approved_at", { withTimezone: true }),
    supersededAt: timestamp("superseded_at", { withTimezone: true }),
    revokedBy: uuid("revoked_by").references(() => users.id),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokeReason: text("revoke_reason"),
  },
  (t) => [
    primaryKey({ columns: [t.trustId, t.id] }),
    uniqueIndex("sharing_policy_versions_id_key").on(t.id),
    uniqueIndex("sharing_policy_versions_policy_version_key").on(t.policyId, t.version),
    // At most one active version, and at most one version being written or reviewed, per policy.
    uniqueIndex("sharing_policy_versions_one_active").on(t.policyId).where(sql`status = 'active'`),
    uniqueIndex("sharing_policy_versions_one_open").on(t.policyId).where(sql`status in ('draft', 'pending_approval')`),
    index("sharing_policy_versions_trust_status_idx").on(t.trustId, t.status),
    foreignKey({ columns: [t.trustId, t.policyId], foreignColumns: [sharingPolicies.trustId, sharingPolicies.id] }),
    check("sharing_policy_versions_two_person", sql`${t.approvedBy} is null or ${t.approvedBy} <> ${t.createdBy}`),
    check("sharing_policy_versions_window", sql`${t.effectiveUntil} is null or ${t.effectiveUntil} > ${t.effectiveFrom}`),
    check("sharing_policy_versions_approved", sql`${t.status} not in ('active', 'superseded') or (${t.approvedBy} is not null and ${t.approvedAt} is not null)`),
    check("sharing_policy_versions_revoked", sql`${t.status} <> 'revoked' or (${t.revokedAt} is not null and length(trim(${t.revokeReason})) > 0)`),
  ],
);

/** A restricted NHS number at a source trust: other trusts reach its images only by break-glass. */
export const patientRestrictions = pgTable(
  "patient_restrictions",
  {
    trustId: uuid("trust_id")
      .notNull()
      .references(() => trusts.id),
    id: uuid("id").notNull().defaultRandom(),
    nhsNumber: text("nhs_number").notNull(),
    reason: text("reason", { enum: restrictionReasons }).notNull(),
    note: text("note").notNull().default(""),
    createdBy: uuid("created_by")
      .notNull()
      .references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    liftedAt: timestamp("lifted_at", { withTimezone: true }),
    liftedBy: uuid("lifted_by").references(() => users.id),
    liftReason: text("lift_reason"),
  },
  (t) => [
    primaryKey({ columns: [t.trustId, t.id] }),
    uniqueIndex("patient_restrictions_id_key").on(t.id),
    uniqueIndex("patient_restrictions_one_live").on(t.trustId, t.nhsNumber).where(sql`lifted_at is null`),
    check("patient_restrictions_nhs_number", sql`${t.nhsNumber} ~ '^[0-9]{10}$'`),
    check("patient_restrictions_lifted", sql`${t.liftedAt} is null or length(trim(${t.liftReason})) > 0`),
  ],
);

/**
 * One row whose generation moves on (by trigger) whenever anything a decision depends on changes:
 * policies, versions, restrictions, trusts, users' status, role assignments. Every app instance
 * compares it with the generation of its compiled policy set.
 */
export const sharingGeneration = pgTable(
  "sharing_generation",
  {
    id: smallint("id").primaryKey().default(1),
    generation: bigint("generation", { mode: "number" }).notNull().default(1),
    changedAt: timestamp("changed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("sharing_generation_one_row", sql`${t.id} = 1`)],
);

export type SharingPolicy = typeof sharingPolicies.$inferSelect;
export type SharingPolicyVersion = typeof sharingPolicyVersions.$inferSelect;
export type PatientRestriction = typeof patientRestrictions.$inferSelect;
