-- Hand-written: the archive connector's cursor and the studies it has seen (db/schema/pacs.ts,
-- lib/pacs/connector.ts). The cursor moves in the same transaction as the exams and study rows of
-- the feed page it covers.
CREATE TABLE IF NOT EXISTS pacs_connector_state (
  archive text PRIMARY KEY,
  last_change_seq bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS pacs_studies (
  archive text NOT NULL,
  archive_study_id text NOT NULL,
  study_instance_uid text NOT NULL,
  accession_number text,
  patient_id text,
  nhs_number text,
  trust_id uuid,
  site_id uuid,
  department_id uuid,
  calling_ae_title text,
  modality text,
  performed_at timestamptz,
  instance_count integer NOT NULL,
  size_bytes bigint NOT NULL,
  status text NOT NULL CHECK (status IN ('recorded', 'unattributed', 'deleted')),
  problem text,
  attributed_by text CHECK (attributed_by IN ('device', 'administrator')),
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (archive, archive_study_id),
  CONSTRAINT pacs_studies_recorded_attributed CHECK (status <> 'recorded' OR (trust_id IS NOT NULL AND site_id IS NOT NULL)),
  CONSTRAINT pacs_studies_counts_non_negative CHECK (instance_count >= 0 AND size_bytes >= 0)
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS pacs_studies_study_uid_idx ON pacs_studies (study_instance_uid);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS pacs_studies_accession_idx ON pacs_studies (accession_number);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS pacs_studies_status_idx ON pacs_studies (status, first_seen_at);
--> statement-breakpoint
-- The connector runs as the application role with consortium-wide scope (withSystem). No DELETE:
-- a study that leaves the archive is marked deleted, never removed.
GRANT SELECT, INSERT, UPDATE ON pacs_connector_state, pacs_studies TO mosaic_app;
--> statement-breakpoint
-- The cursor is the consortium's, not a trust's: only consortium-wide scope reads or moves it.
ALTER TABLE pacs_connector_state ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE pacs_connector_state FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY pacs_connector_state_consortium ON pacs_connector_state USING (mosaic_scope_all()) WITH CHECK (mosaic_scope_all());
--> statement-breakpoint
-- A trust's people see the studies attributed to their trusts; an unattributed study (no trust yet)
-- only consortium-wide scope sees, since no trust has been shown to be its controller.
ALTER TABLE pacs_studies ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE pacs_studies FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY pacs_studies_tenant ON pacs_studies
  USING (mosaic_scope_all() OR (trust_id IS NOT NULL AND mosaic_in_scope(trust_id)))
  WITH CHECK (mosaic_scope_all() OR (trust_id IS NOT NULL AND mosaic_in_scope(trust_id)));
