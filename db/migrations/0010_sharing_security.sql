-- Hand-written: grants, row-level security, the immutability of policy versions, and the generation
-- counter that invalidates compiled policy sets in every app instance.
INSERT INTO sharing_generation (id, generation) VALUES (1, 1) ON CONFLICT (id) DO NOTHING;
--> statement-breakpoint
-- No DELETE: versions are history, restrictions are lifted, not removed.
GRANT SELECT, INSERT, UPDATE ON sharing_policies, sharing_policy_versions, patient_restrictions TO mosaic_app;
--> statement-breakpoint
GRANT SELECT ON sharing_generation TO mosaic_app;
--> statement-breakpoint
ALTER TABLE sharing_policies ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE sharing_policies FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE sharing_policy_versions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE sharing_policy_versions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE patient_restrictions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE patient_restrictions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- A version is seen by its source trust, and once published (active, superseded, revoked) by the
-- trusts it names as targets: they need to know what they may see. Drafts stay with their owner.
CREATE POLICY sharing_policy_versions_select ON sharing_policy_versions FOR SELECT
  USING (mosaic_in_scope(trust_id) OR (status IN ('active', 'superseded', 'revoked') AND target_trust_ids && mosaic_scope_trusts()));
--> statement-breakpoint
CREATE POLICY sharing_policy_versions_insert ON sharing_policy_versions FOR INSERT WITH CHECK (mosaic_in_scope(trust_id));
--> statement-breakpoint
CREATE POLICY sharing_policy_versions_update ON sharing_policy_versions FOR UPDATE
  USING (mosaic_in_scope(trust_id)) WITH CHECK (mosaic_in_scope(trust_id));
--> statement-breakpoint
CREATE POLICY sharing_policies_select ON sharing_policies FOR SELECT
  USING (mosaic_in_scope(trust_id) OR EXISTS (SELECT 1 FROM sharing_policy_versions v WHERE v.policy_id = sharing_policies.id));
--> statement-breakpoint
CREATE POLICY sharing_policies_insert ON sharing_policies FOR INSERT WITH CHECK (mosaic_in_scope(trust_id));
--> statement-breakpoint
CREATE POLICY sharing_policies_update ON sharing_policies FOR UPDATE
  USING (mosaic_in_scope(trust_id)) WITH CHECK (mosaic_in_scope(trust_id));
--> statement-breakpoint
CREATE POLICY patient_restrictions_tenant ON patient_restrictions
  USING (mosaic_in_scope(trust_id)) WITH CHECK (mosaic_in_scope(trust_id));
--> statement-breakpoint
-- A version's content is fixed once it leaves draft, and its status moves only forward.
CREATE OR REPLACE FUNCTION mosaic_sharing_version_guard() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'policy versions are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.trust_id IS DISTINCT FROM OLD.trust_id OR NEW.policy_id IS DISTINCT FROM OLD.policy_id
     OR NEW.version IS DISTINCT FROM OLD.version OR NEW.created_by IS DISTINCT FROM OLD.created_by THEN
    RAISE EXCEPTION 'a policy version keeps its policy, number and author' USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.status <> 'draft' AND (
       NEW.rules IS DISTINCT FROM OLD.rules OR NEW.effective_from IS DISTINCT FROM OLD.effective_from
       OR NEW.effective_until IS DISTINCT FROM OLD.effective_until OR NEW.target_trust_ids IS DISTINCT FROM OLD.target_trust_ids
       OR NEW.change_note IS DISTINCT FROM OLD.change_note) THEN
    RAISE EXCEPTION 'policy version % of policy % is %: only a draft can be edited', OLD.version, OLD.policy_id, OLD.status
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status = 'draft' AND NEW.status = 'pending_approval')
    OR (OLD.status = 'pending_approval' AND NEW.status IN ('draft', 'active'))
    OR (OLD.status = 'active' AND NEW.status IN ('superseded', 'revoked'))) THEN
    RAISE EXCEPTION 'a policy version cannot go from % to %', OLD.status, NEW.status USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.approved_by IS NOT NULL AND NEW.approved_by IS DISTINCT FROM OLD.approved_by THEN
    RAISE EXCEPTION 'an approval is never rewritten' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER sharing_policy_versions_guard BEFORE UPDATE OR DELETE ON sharing_policy_versions
  FOR EACH ROW EXECUTE FUNCTION mosaic_sharing_version_guard();
--> statement-breakpoint
-- The generation moves on with every change a decision depends on. SECURITY DEFINER: the app role
-- can read the counter but not write it.
CREATE OR REPLACE FUNCTION mosaic_bump_sharing_generation() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE sharing_generation SET generation = generation + 1, changed_at = now() WHERE id = 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION mosaic_bump_sharing_generation() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER sharing_policies_generation AFTER INSERT OR UPDATE OR DELETE ON sharing_policies
  FOR EACH STATEMENT EXECUTE FUNCTION mosaic_bump_sharing_generation();
--> statement-breakpoint
CREATE TRIGGER sharing_policy_versions_generation AFTER INSERT OR UPDATE OR DELETE ON sharing_policy_versions
  FOR EACH STATEMENT EXECUTE FUNCTION mosaic_bump_sharing_generation();
--> statement-breakpoint
CREATE TRIGGER patient_restrictions_generation AFTER INSERT OR UPDATE OR DELETE ON patient_restrictions
  FOR EACH STATEMENT EXECUTE FUNCTION mosaic_bump_sharing_generation();
--> statement-breakpoint
CREATE TRIGGER role_assignments_sharing_generation AFTER INSERT OR UPDATE OR DELETE ON role_assignments
  FOR EACH STATEMENT EXECUTE FUNCTION mosaic_bump_sharing_generation();
--> statement-breakpoint
CREATE TRIGGER trusts_sharing_generation AFTER INSERT OR UPDATE OF ods_code, status OR DELETE ON trusts
  FOR EACH STATEMENT EXECUTE FUNCTION mosaic_bump_sharing_generation();
--> statement-breakpoint
-- Sign-ins update users too (failed attempts, last sign-in): only the columns a decision reads count.
CREATE TRIGGER users_sharing_generation AFTER INSERT OR UPDATE OF email, status, home_trust_id OR DELETE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION mosaic_bump_sharing_generation();
--> statement-breakpoint
-- mosaic_trust_directory() (0005) runs as the table owner, but trusts has FORCE ROW LEVEL SECURITY:
-- where the owner is not a superuser it would see only the caller's scope. Policy editors and the
-- compiled policy set need every trust, so the function now sets consortium-wide scope for its own
-- duration (SET on the function; the caller's scope is back when it returns).
CREATE OR REPLACE FUNCTION mosaic_trust_directory()
  RETURNS TABLE (id uuid, ods_code text, name text, status text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public SET mosaic.scope_all = 'on' AS $$
  SELECT t.id, t.ods_code, t.name, t.status FROM trusts t ORDER BY t.name
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION mosaic_trust_directory() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION mosaic_trust_directory() TO mosaic_app;
