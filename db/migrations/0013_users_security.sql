-- Hand-written: the application role's grants and row-level security for set-password links.
-- No DELETE: a used or replaced link keeps its row (used_at) for the record.
GRANT SELECT, INSERT, UPDATE ON password_tokens TO mosaic_app;
--> statement-breakpoint
ALTER TABLE password_tokens ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE password_tokens FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- A link made for a trust is visible to that trust's scope; a consortium-wide one (trust_id null)
-- only to a consortium-wide caller. Redeeming a link runs with system scope (no one is signed in).
CREATE POLICY password_tokens_tenant ON password_tokens
  USING (mosaic_scope_all() OR trust_id = ANY (mosaic_scope_trusts()))
  WITH CHECK (mosaic_scope_all() OR trust_id = ANY (mosaic_scope_trusts()));
