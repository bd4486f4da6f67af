CREATE TABLE "patient_restrictions" (
	"trust_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"nhs_number" text NOT NULL,
	"reason" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lifted_at" timestamp with time zone,
	"lifted_by" uuid,
	"lift_reason" text,
	CONSTRAINT "patient_restrictions_trust_id_id_pk" PRIMARY KEY("trust_id","id"),
	CONSTRAINT "patient_restrictions_nhs_number" CHECK ("patient_restrictions"."nhs_number" ~ '^[0-9]{10}$'),
	CONSTRAINT "patient_restrictions_lifted" CHECK ("patient_restrictions"."lifted_at" is null or length(trim("patient_restrictions"."lift_reason")) > 0)
);
--> statement-breakpoint
CREATE TABLE "sharing_generation" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"generation" bigint DEFAULT 1 NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sharing_generation_one_row" CHECK ("sharing_generation"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "sharing_policies" (
	"trust_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sharing_policies_trust_id_id_pk" PRIMARY KEY("trust_id","id")
);
--> statement-breakpoint
CREATE TABLE "sharing_policy_versions" (
	"trust_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"policy_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"effective_from" timestamp with time zone NOT NULL,
	"effective_until" timestamp with time zone,
	"rules" jsonb NOT NULL,
	"target_trust_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"change_note" text DEFAULT '' NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"submitted_at" timestamp with time zone,
	"approved_by" uuid,
	"approved_at" timestamp with time zone,
	"superseded_at" timestamp with time zone,
	"revoked_by" uuid,
	"revoked_at" timestamp with time zone,
	"revoke_reason" text,
	CONSTRAINT "sharing_policy_versions_trust_id_id_pk" PRIMARY KEY("trust_id","id"),
	CONSTRAINT "sharing_policy_versions_two_person" CHECK ("sharing_policy_versions"."approved_by" is null or "sharing_policy_versions"."approved_by" <> "sharing_policy_versions"."created_by"),
	CONSTRAINT "sharing_policy_versions_window" CHECK ("sharing_policy_versions"."effective_until" is null or "sharing_policy_versions"."effective_until" > "sharing_policy_versions"."effective_from"),
	CONSTRAINT "sharing_policy_versions_approved" CHECK ("sharing_policy_versions"."status" not in ('active', 'superseded') or ("sharing_policy_versions"."approved_by" is not null and "sharing_policy_versions"."approved_at" is not null)),
	CONSTRAINT "sharing_policy_versions_revoked" CHECK ("sharing_policy_versions"."status" <> 'revoked' or ("sharing_policy_versions"."revoked_at" is not null and length(trim("sharing_policy_versions"."revoke_reason")) > 0))
);
--> statement-breakpoint
ALTER TABLE "patient_restrictions" ADD CONSTRAINT "patient_restrictions_trust_id_trusts_id_fk" FOREIGN KEY ("trust_id") REFERENCES "public"."trusts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_restrictions" ADD CONSTRAINT "patient_restrictions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_restrictions" ADD CONSTRAINT "patient_restrictions_lifted_by_users_id_fk" FOREIGN KEY ("lifted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sharing_policies" ADD CONSTRAINT "sharing_policies_trust_id_trusts_id_fk" FOREIGN KEY ("trust_id") REFERENCES "public"."trusts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sharing_policies" ADD CONSTRAINT "sharing_policies_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sharing_policy_versions" ADD CONSTRAINT "sharing_policy_versions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sharing_policy_versions" ADD CONSTRAINT "sharing_policy_versions_approved_by_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sharing_policy_versions" ADD CONSTRAINT "sharing_policy_versions_revoked_by_users_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sharing_policy_versions" ADD CONSTRAINT "sharing_policy_versions_trust_id_policy_id_sharing_policies_trust_id_id_fk" FOREIGN KEY ("trust_id","policy_id") REFERENCES "public"."sharing_policies"("trust_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "patient_restrictions_id_key" ON "patient_restrictions" USING btree ("id");--> statement-breakpoint
CREATE UNIQUE INDEX "patient_restrictions_one_live" ON "patient_restrictions" USING btree ("trust_id","nhs_number") WHERE lifted_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "sharing_policies_id_key" ON "sharing_policies" USING btree ("id");--> statement-breakpoint
CREATE UNIQUE INDEX "sharing_policies_trust_name_key" ON "sharing_policies" USING btree ("trust_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "sharing_policy_versions_id_key" ON "sharing_policy_versions" USING btree ("id");--> statement-breakpoint
CREATE UNIQUE INDEX "sharing_policy_versions_policy_version_key" ON "sharing_policy_versions" USING btree ("policy_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "sharing_policy_versions_one_active" ON "sharing_policy_versions" USING btree ("policy_id") WHERE status = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "sharing_policy_versions_one_open" ON "sharing_policy_versions" USING btree ("policy_id") WHERE status in ('draft', 'pending_approval');--> statement-breakpoint
CREATE INDEX "sharing_policy_versions_trust_status_idx" ON "sharing_policy_versions" USING btree ("trust_id","status");