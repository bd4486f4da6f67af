-- Idempotency of machine ingest: every event id ever accepted, so that a retried batch stores
-- nothing twice even if its occurred_at differs (audit_events is keyed by (id, occurred_at)).
CREATE TABLE audit_event_ids (
  id uuid PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
GRANT SELECT, INSERT ON audit_event_ids TO mosaic_app;
--> statement-breakpoint
-- Alerts: what needs a human look. Owned by the trust whose images were accessed.
CREATE TABLE audit_alerts (
  trust_id uuid NOT NULL REFERENCES trusts (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  rule text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('high', 'medium', 'low')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'assigned', 'closed')),
  summary text NOT NULL,
  event_id uuid,
  event_occurred_at timestamptz NOT NULL,
  actor_email text,
  actor_trust_id uuid,
  patient_nhs_number text,
  assigned_to uuid REFERENCES users (id),
  closed_at timestamptz,
  closed_by uuid REFERENCES users (id),
  resolution text CHECK (resolution IS NULL OR resolution IN ('legitimate', 'false_positive', 'misuse_referred', 'training_needed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (trust_id, id),
  CONSTRAINT audit_alerts_closed CHECK ((status = 'closed') = (closed_at IS NOT NULL AND resolution IS NOT NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX audit_alerts_id_key ON audit_alerts (id);
--> statement-breakpoint
-- One alert per rule and event, so a re-scan never raises the same alert twice.
CREATE UNIQUE INDEX audit_alerts_rule_event_key ON audit_alerts (rule, event_id) WHERE event_id IS NOT NULL;
--> statement-breakpoint
-- Day-level alerts (no single event) carry the start of their day in event_occurred_at.
CREATE UNIQUE INDEX audit_alerts_rule_actor_day_key ON audit_alerts (rule, actor_email, trust_id, event_occurred_at) WHERE event_id IS NULL;
--> statement-breakpoint
CREATE INDEX audit_alerts_queue_idx ON audit_alerts (trust_id, status, created_at DESC);
--> statement-breakpoint
CREATE TABLE audit_alert_notes (
  trust_id uuid NOT NULL,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  alert_id uuid NOT NULL,
  author_id uuid NOT NULL REFERENCES users (id),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (trust_id, id),
  FOREIGN KEY (trust_id, alert_id) REFERENCES audit_alerts (trust_id, id)
);
--> statement-breakpoint
CREATE INDEX audit_alert_notes_alert_idx ON audit_alert_notes (alert_id, created_at);
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON audit_alerts TO mosaic_app;
--> statement-breakpoint
-- Notes are a record: added, never changed.
GRANT SELECT, INSERT ON audit_alert_notes TO mosaic_app;
--> statement-breakpoint
ALTER TABLE audit_alerts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_alerts FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY audit_alerts_tenant ON audit_alerts USING (mosaic_in_scope(trust_id)) WITH CHECK (mosaic_in_scope(trust_id));
--> statement-breakpoint
ALTER TABLE audit_alert_notes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_alert_notes FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY audit_alert_notes_tenant ON audit_alert_notes USING (mosaic_in_scope(trust_id)) WITH CHECK (mosaic_in_scope(trust_id));
