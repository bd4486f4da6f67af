-- API clients and their keys: tenant rows (a trust's client) or consortium rows (trust_id null),
-- visible like role assignments. No DELETE: keys and clients are revoked, never removed.
GRANT SELECT, INSERT, UPDATE ON api_clients, api_keys TO mosaic_app;
--> statement-breakpoint
ALTER TABLE api_clients ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE api_clients FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY api_clients_tenant ON api_clients
  USING (mosaic_scope_all() OR trust_id = ANY (mosaic_scope_trusts()))
  WITH CHECK (mosaic_scope_all() OR trust_id = ANY (mosaic_scope_trusts()));
--> statement-breakpoint
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY api_keys_tenant ON api_keys
  USING (mosaic_scope_all() OR trust_id = ANY (mosaic_scope_trusts()))
  WITH CHECK (mosaic_scope_all() OR trust_id = ANY (mosaic_scope_trusts()));
--> statement-breakpoint
-- A key's hash never changes once written; only its revocation, expiry and last use do.
CREATE OR REPLACE FUNCTION mosaic_api_key_immutable() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.key_hash IS DISTINCT FROM OLD.key_hash OR NEW.prefix IS DISTINCT FROM OLD.prefix OR NEW.client_id IS DISTINCT FROM OLD.client_id THEN
    RAISE EXCEPTION 'an API key''s prefix, hash and client never change' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER api_keys_immutable BEFORE UPDATE ON api_keys FOR EACH ROW EXECUTE FUNCTION mosaic_api_key_immutable();
