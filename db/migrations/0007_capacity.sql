CREATE TABLE "capacity_consortium_exams_daily" (
	"day" date NOT NULL,
	"modality" text NOT NULL,
	"exam_count" bigint NOT NULL,
	"size_bytes" bigint NOT NULL,
	CONSTRAINT "capacity_consortium_exams_daily_day_modality_pk" PRIMARY KEY("day","modality")
);
--> statement-breakpoint
CREATE TABLE "capacity_consortium_storage_daily" (
	"tier" text NOT NULL,
	"day" date NOT NULL,
	"bytes" bigint NOT NULL,
	CONSTRAINT "capacity_consortium_storage_daily_tier_day_pk" PRIMARY KEY("tier","day")
);
--> statement-breakpoint
CREATE TABLE "capacity_cross_trust_daily" (
	"source_trust_id" uuid NOT NULL,
	"actor_trust_id" uuid NOT NULL,
	"day" date NOT NULL,
	"view_count" bigint NOT NULL,
	CONSTRAINT "capacity_cross_trust_daily_source_trust_id_actor_trust_id_day_pk" PRIMARY KEY("source_trust_id","actor_trust_id","day")
);
--> statement-breakpoint
CREATE TABLE "capacity_exams_daily" (
	"trust_id" uuid NOT NULL,
	"day" date NOT NULL,
	"site_id" uuid NOT NULL,
	"modality" text NOT NULL,
	"exam_count" bigint NOT NULL,
	"size_bytes" bigint NOT NULL,
	"hour_counts" integer[] NOT NULL,
	CONSTRAINT "capacity_exams_daily_trust_id_day_site_id_modality_pk" PRIMARY KEY("trust_id","day","site_id","modality"),
	CONSTRAINT "capacity_exams_daily_hours" CHECK (cardinality("capacity_exams_daily"."hour_counts") = 24)
);
--> statement-breakpoint
CREATE TABLE "capacity_exams_hourly" (
	"trust_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"site_id" uuid NOT NULL,
	"modality" text NOT NULL,
	"exam_count" bigint NOT NULL,
	"size_bytes" bigint NOT NULL,
	CONSTRAINT "capacity_exams_hourly_trust_id_hour_site_id_modality_pk" PRIMARY KEY("trust_id","hour","site_id","modality")
);
--> statement-breakpoint
CREATE TABLE "capacity_storage_daily" (
	"trust_id" uuid NOT NULL,
	"tier" text NOT NULL,
	"day" date NOT NULL,
	"modality" text NOT NULL,
	"bytes" bigint NOT NULL,
	CONSTRAINT "capacity_storage_daily_trust_id_tier_day_modality_pk" PRIMARY KEY("trust_id","tier","day","modality")
);
--> statement-breakpoint
CREATE TABLE "exams" (
	"study_instance_uid" text PRIMARY KEY NOT NULL,
	"trust_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"accession_number" text NOT NULL,
	"modality" text NOT NULL,
	"performed_at" timestamp with time zone NOT NULL,
	"image_count" integer NOT NULL,
	"size_bytes" bigint NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exams_counts_non_negative" CHECK ("exams"."image_count" >= 0 and "exams"."size_bytes" >= 0)
);
--> statement-breakpoint
CREATE TABLE "quota_change_requests" (
	"trust_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tier" text NOT NULL,
	"current_quota_bytes" bigint,
	"requested_quota_bytes" bigint NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"requested_by" uuid NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	CONSTRAINT "quota_change_requests_trust_id_id_pk" PRIMARY KEY("trust_id","id"),
	CONSTRAINT "quota_change_requests_positive" CHECK ("quota_change_requests"."requested_quota_bytes" > 0)
);
--> statement-breakpoint
CREATE TABLE "storage_quotas" (
	"trust_id" uuid NOT NULL,
	"tier" text NOT NULL,
	"quota_bytes" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "storage_quotas_trust_id_tier_pk" PRIMARY KEY("trust_id","tier"),
	CONSTRAINT "storage_quotas_positive" CHECK ("storage_quotas"."quota_bytes" > 0)
);
--> statement-breakpoint
CREATE TABLE "storage_usage" (
	"trust_id" uuid NOT NULL,
	"tier" text NOT NULL,
	"usage_date" date NOT NULL,
	"modality" text NOT NULL,
	"bytes" bigint NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "storage_usage_trust_id_tier_usage_date_modality_pk" PRIMARY KEY("trust_id","tier","usage_date","modality"),
	CONSTRAINT "storage_usage_non_negative" CHECK ("storage_usage"."bytes" >= 0)
);
--> statement-breakpoint
CREATE INDEX "capacity_cross_trust_daily_day_idx" ON "capacity_cross_trust_daily" USING btree ("day");--> statement-breakpoint
CREATE INDEX "capacity_exams_hourly_hour_idx" ON "capacity_exams_hourly" USING btree ("hour");--> statement-breakpoint
CREATE INDEX "capacity_storage_daily_day_idx" ON "capacity_storage_daily" USING btree ("day");--> statement-breakpoint
CREATE INDEX "exams_trust_performed_idx" ON "exams" USING btree ("trust_id","performed_at");--> statement-breakpoint
CREATE INDEX "quota_change_requests_status_idx" ON "quota_change_requests" USING btree ("status","requested_at");