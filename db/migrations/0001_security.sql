-- Hand-written: what drizzle-kit has no word for. The application role, its grants, row-level
-- security, and the append-only, partitioned audit trail.
--
-- The app connects as the owner of the tables and, inside every transaction, switches to
-- mosaic_app (lib/db/scope.ts). mosaic_app owns nothing, so row-level security always applies to
-- it; FORCE makes it apply to a non-superuser owner as well.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mosaic_app') THEN
    CREATE ROLE mosaic_app NOLOGIN;
  END IF;
END
$$;
--> statement-breakpoint
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'mosaic_app', 'MEMBER') THEN
    EXECUTE format('GRANT mosaic_app TO %I', current_user);
  END IF;
END
$$;
--> statement-breakpoint
-- The caller's scope, set per transaction with set_config(..., true).
CREATE OR REPLACE FUNCTION mosaic_scope_all() RETURNS boolean
  LANGUAGE sql STABLE AS $$ SELECT coalesce(current_setting('mosaic.scope_all', true), '') = 'on' $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION mosaic_scope_trusts() RETURNS uuid[]
  LANGUAGE sql STABLE AS $$ SELECT coalesce(nullif(current_setting('mosaic.trust_ids', true), ''), '{}')::uuid[] $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION mosaic_in_scope(t uuid) RETURNS boolean
  LANGUAGE sql STABLE AS $$ SELECT mosaic_scope_all() OR t = ANY (mosaic_scope_trusts()) $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO mosaic_app;
--> statement-breakpoint
GRANT SELECT, UPDATE ON consortium TO mosaic_app;
--> statement-breakpoint
-- No DELETE anywhere: trusts are offboarded, sites closed, users marked as leavers, roles revoked.
GRANT SELECT, INSERT, UPDATE ON trusts, sites, departments, users, role_assignments, user_sessions TO mosaic_app;
--> statement-breakpoint
ALTER TABLE trusts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE trusts FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY trusts_select ON trusts FOR SELECT USING (mosaic_in_scope(id));
--> statement-breakpoint
CREATE POLICY trusts_insert ON trusts FOR INSERT WITH CHECK (mosaic_scope_all());
--> statement-breakpoint
CREATE POLICY trusts_update ON trusts FOR UPDATE USING (mosaic_in_scope(id)) WITH CHECK (mosaic_in_scope(id));
--> statement-breakpoint
ALTER TABLE sites ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE sites FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY sites_tenant ON sites USING (mosaic_in_scope(trust_id)) WITH CHECK (mosaic_in_scope(trust_id));
--> statement-breakpoint
ALTER TABLE departments ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE departments FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY departments_tenant ON departments USING (mosaic_in_scope(trust_id)) WITH CHECK (mosaic_in_scope(trust_id));
--> statement-breakpoint
ALTER TABLE role_assignments ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE role_assignments FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- A consortium-wide assignment (trust_id null) is visible only to a consortium-wide caller.
CREATE POLICY role_assignments_tenant ON role_assignments
  USING (mosaic_scope_all() OR trust_id = ANY (mosaic_scope_trusts()))
  WITH CHECK (mosaic_scope_all() OR trust_id = ANY (mosaic_scope_trusts()));
--> statement-breakpoint
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE users FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- A person is visible to a trust when it is their home trust or they hold a role there.
CREATE POLICY users_tenant ON users
  USING (
    mosaic_scope_all()
    OR home_trust_id = ANY (mosaic_scope_trusts())
    OR EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = users.id AND ra.trust_id = ANY (mosaic_scope_trusts()))
  )
  WITH CHECK (mosaic_scope_all() OR home_trust_id = ANY (mosaic_scope_trusts()));
--> statement-breakpoint
ALTER TABLE user_sessions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE user_sessions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY user_sessions_own ON user_sessions
  USING (mosaic_scope_all() OR user_id::text = current_setting('mosaic.user_id', true))
  WITH CHECK (mosaic_scope_all() OR user_id::text = current_setting('mosaic.user_id', true));
--> statement-breakpoint
-- The audit trail. Partitioned by month of occurred_at; partitions are made on demand by
-- mosaic_ensure_audit_partition. The key carries occurred_at because a partitioned table's
-- unique keys must include the partition key.
CREATE TABLE audit_events (
  id uuid NOT NULL,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL,
  chain text NOT NULL,
  seq bigint NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  action text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
  actor_user_id uuid,
  actor_email text,
  actor_trust_id uuid,
  actor_role text,
  source_trust_id uuid,
  patient_nhs_number text,
  study_instance_uid text,
  accession_number text,
  modality text,
  purpose text,
  policy_id uuid,
  policy_version integer,
  break_glass_justification text,
  ip text,
  workstation text,
  target_type text,
  target_id text,
  details jsonb,
  PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
--> statement-breakpoint
CREATE INDEX audit_events_chain_seq_idx ON audit_events (chain, seq);
--> statement-breakpoint
CREATE INDEX audit_events_patient_idx ON audit_events (patient_nhs_number, occurred_at DESC, id) WHERE patient_nhs_number IS NOT NULL;
--> statement-breakpoint
CREATE INDEX audit_events_actor_idx ON audit_events (actor_user_id, occurred_at DESC, id);
--> statement-breakpoint
CREATE INDEX audit_events_source_trust_idx ON audit_events (source_trust_id, occurred_at DESC, id);
--> statement-breakpoint
CREATE INDEX audit_events_actor_trust_idx ON audit_events (actor_trust_id, occurred_at DESC, id);
--> statement-breakpoint
CREATE INDEX audit_events_target_idx ON audit_events (target_type, target_id, occurred_at DESC) WHERE target_id IS NOT NULL;
--> statement-breakpoint
CREATE TABLE audit_chain_heads (
  chain text PRIMARY KEY,
  seq bigint NOT NULL,
  hash text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION mosaic_ensure_audit_partition(month_start date) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  lower_bound date := date_trunc('month', month_start)::date;
  part_name text := format('audit_events_%s', to_char(month_start, 'YYYY_MM'));
BEGIN
  IF to_regclass(part_name) IS NOT NULL THEN
    RETURN;
  END IF;
  EXECUTE format(
    'CREATE TABLE IF NOT EXISTS %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)',
    part_name, lower_bound, (lower_bound + interval '1 month')::date
  );
EXCEPTION WHEN duplicate_table OR unique_violation THEN
  -- another transaction created it first
  NULL;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION mosaic_ensure_audit_partition(date) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION mosaic_ensure_audit_partition(date) TO mosaic_app;
--> statement-breakpoint
-- Append-only: the app role may add and read events, never change or remove them, and the
-- triggers refuse UPDATE, DELETE and TRUNCATE from anyone, the owner included.
GRANT SELECT, INSERT ON audit_events TO mosaic_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON audit_chain_heads TO mosaic_app;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION mosaic_refuse_audit_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION mosaic_refuse_audit_change();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION mosaic_refuse_audit_change();
--> statement-breakpoint
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- A trust sees the events about its images and the events of its own staff.
CREATE POLICY audit_events_select ON audit_events FOR SELECT
  USING (mosaic_scope_all() OR source_trust_id = ANY (mosaic_scope_trusts()) OR actor_trust_id = ANY (mosaic_scope_trusts()));
--> statement-breakpoint
CREATE POLICY audit_events_insert ON audit_events FOR INSERT WITH CHECK (true);
