-- Signed checkpoints of the audit hash chains. Each row pins one chain's head (its sequence number
-- and hash) with an Ed25519 signature (a compact JWS) made by a key kept outside the database, so
-- that someone who can write to the database can still not rewrite a chain from scratch (all
-- hashes recomputed) without the checkpoint check noticing. Append-only, like audit_events.
CREATE TABLE audit_checkpoints (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  chain text NOT NULL,
  seq bigint NOT NULL CHECK (seq > 0),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  signed_at timestamptz NOT NULL,
  key_id text NOT NULL,
  signature text NOT NULL,
  UNIQUE (chain, seq)
);
--> statement-breakpoint
CREATE INDEX audit_checkpoints_signed_idx ON audit_checkpoints (signed_at);
--> statement-breakpoint
GRANT SELECT, INSERT ON audit_checkpoints TO mosaic_app;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION mosaic_refuse_checkpoint_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit checkpoints are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_update_delete BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION mosaic_refuse_checkpoint_change();
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION mosaic_refuse_checkpoint_change();
--> statement-breakpoint
ALTER TABLE audit_checkpoints ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_checkpoints FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- A chain is named by its source trust's id (or 'consortium'): a trust sees its own chain's
-- checkpoints; only consortium-wide work (the checkpoint command) writes them.
CREATE POLICY audit_checkpoints_select ON audit_checkpoints FOR SELECT
  USING (mosaic_scope_all() OR chain IN (SELECT unnest(mosaic_scope_trusts())::text));
--> statement-breakpoint
CREATE POLICY audit_checkpoints_insert ON audit_checkpoints FOR INSERT WITH CHECK (mosaic_scope_all());
