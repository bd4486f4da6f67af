-- Hand-written: DICOM devices per site (issue 14), and what the study look-up and the archive
-- connector need of exams.
--
-- A device belongs to a site of its trust (composite keys, as departments do) and, optionally, to
-- a department of that trust. Its AE title is unique among the devices in service across the whole
-- consortium: the archive attributes a study to a trust by the calling AE title alone. The unique
-- index is not subject to row-level security, so a PACS manager's insert is refused even when the
-- holder is another trust's device, which they cannot see; lib/devices says so without naming it.
CREATE TABLE "dicom_devices" (
	"trust_id" uuid NOT NULL REFERENCES "trusts" ("id"),
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"site_id" uuid NOT NULL,
	"department_id" uuid,
	"ae_title" text NOT NULL,
	"kind" text NOT NULL,
	"modality" text,
	"host" text,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	CONSTRAINT "dicom_devices_trust_id_id_pk" PRIMARY KEY ("trust_id", "id"),
	CONSTRAINT "dicom_devices_site_fk" FOREIGN KEY ("trust_id", "site_id") REFERENCES "sites" ("trust_id", "id"),
	CONSTRAINT "dicom_devices_department_fk" FOREIGN KEY ("trust_id", "department_id") REFERENCES "departments" ("trust_id", "id"),
	CONSTRAINT "dicom_devices_kind_check" CHECK ("kind" IN ('modality', 'workstation', 'archive', 'other')),
	CONSTRAINT "dicom_devices_kind_modality" CHECK ("kind" <> 'modality' OR "modality" IS NOT NULL),
	-- The DICOM default repertoire (ISO 646 G0 printable, no backslash), 1 to 16 characters, stored
	-- without the leading and trailing spaces that are not significant (lib/devices/schemas.ts).
	CONSTRAINT "dicom_devices_ae_title_check" CHECK (length("ae_title") BETWEEN 1 AND 16 AND "ae_title" !~ '[^ -~]' AND strpos("ae_title", chr(92)) = 0 AND "ae_title" = btrim("ae_title", ' '))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "dicom_devices_id_key" ON "dicom_devices" ("id");
--> statement-breakpoint
CREATE UNIQUE INDEX "dicom_devices_ae_title_key" ON "dicom_devices" ("ae_title") WHERE "retired_at" IS NULL;
--> statement-breakpoint
CREATE INDEX "dicom_devices_trust_site_idx" ON "dicom_devices" ("trust_id", "site_id");
--> statement-breakpoint
-- No DELETE: a device is retired, as a site is closed.
GRANT SELECT, INSERT, UPDATE ON dicom_devices TO mosaic_app;
--> statement-breakpoint
ALTER TABLE dicom_devices ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE dicom_devices FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY dicom_devices_tenant ON dicom_devices USING (mosaic_in_scope(trust_id)) WITH CHECK (mosaic_in_scope(trust_id));
--> statement-breakpoint
-- The calling AE title an exam was stored from, when the archive reports it (the connector; optional
-- in POST /api/v1/exams): the study look-up names the device by it.
ALTER TABLE "exams" ADD COLUMN "ae_title" text;
--> statement-breakpoint
-- The study look-up by accession number (a study UID has the primary key).
CREATE INDEX "exams_accession_idx" ON "exams" ("accession_number", "trust_id");
