-- Audit chains belong to their trust, in the database and not only in lib/ (issue 11, points 5, 6).
--
-- A chain is named by its source trust's id as text, or 'consortium' for events that concern no
-- trust (only consortium-wide work writes those). Before this migration a transaction scoped to one
-- trust could, as mosaic_app, (a) read and move every trust's chain head, (b) append to another
-- trust's chain through audit_events (its INSERT policy was WITH CHECK (true)), and (c) COPY or
-- INSERT into another trust's chain through a monthly partition (mosaic_app has INSERT on each for
-- COPY, which PostgreSQL refuses on a table with row-level security). Here:
--   * audit_chain_heads gets row-level security and mosaic_app loses INSERT and UPDATE on it: heads
--     are locked and advanced only through two SECURITY DEFINER functions that check the caller's
--     scope covers the chain, that a head only moves forward, and that the event it points at exists;
--   * audit_events' INSERT policy requires an event's chain to be its source trust's and in scope;
--   * every partition gets a statement-level trigger refusing rows outside the caller's scope.
--
-- And idempotency of machine ingest is scoped to the owning trust: one trust's event id or study
-- UID never suppresses another's. audit_event_ids is keyed by (chain, id) with a digest of the
-- event's content; audit_events' key gains the chain, exams' key the trust; the one-alert-per-event
-- index gains the trust.

-- Whether the caller's scope covers a chain: consortium-wide scope covers every chain, a trust's
-- scope its own chain only ('consortium' is no trust's).
CREATE OR REPLACE FUNCTION mosaic_chain_in_scope(c text) RETURNS boolean
  LANGUAGE sql STABLE AS $$ SELECT mosaic_scope_all() OR c = ANY (mosaic_scope_trusts()::text[]) $$;
--> statement-breakpoint
ALTER TABLE audit_chain_heads ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_chain_heads FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- One policy for every command: mosaic_app may only SELECT (grants below); the definer functions
-- run as the owner, to whom FORCE applies this policy too when it is not a superuser.
CREATE POLICY audit_chain_heads_scoped ON audit_chain_heads
  USING (mosaic_chain_in_scope(chain)) WITH CHECK (mosaic_chain_in_scope(chain));
--> statement-breakpoint
REVOKE INSERT, UPDATE, DELETE ON audit_chain_heads FROM mosaic_app;
--> statement-breakpoint
-- Locks the heads of these chains (made at genesis if new), in chain order so that concurrent
-- appends never deadlock, and returns where each stands. The row locks last to the end of the
-- caller's transaction, which serialises appends per chain: sequence numbers follow commit order.
-- A definer function because SELECT … FOR UPDATE needs UPDATE privilege, which mosaic_app no
-- longer has.
CREATE OR REPLACE FUNCTION mosaic_lock_chain_heads(chains text[])
  RETURNS TABLE (chain text, seq bigint, hash text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
DECLARE
  outside text;
BEGIN
  SELECT c INTO outside FROM unnest(chains) AS c WHERE c IS NULL OR NOT mosaic_chain_in_scope(c) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'audit chain % is outside the caller''s scope', coalesce(outside, 'null') USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO audit_chain_heads AS h (chain, seq, hash)
    SELECT DISTINCT c, 0, repeat('0', 64) FROM unnest(chains) AS c
    ON CONFLICT DO NOTHING;
  RETURN QUERY
    SELECT h.chain, h.seq, h.hash FROM audit_chain_heads h
     WHERE h.chain = ANY (chains) ORDER BY h.chain FOR UPDATE;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION mosaic_lock_chain_heads(text[]) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION mosaic_lock_chain_heads(text[]) TO mosaic_app;
--> statement-breakpoint
-- Moves chain heads to their new last events. Refuses a chain outside the caller's scope, a head
-- moving backwards (or sideways: the same seq with another hash), and a head naming an event
-- that is not in the chain with that hash.
CREATE OR REPLACE FUNCTION mosaic_advance_chain_heads(chains text[], seqs bigint[], hashes text[]) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  i integer;
  cur_seq bigint;
  cur_hash text;
BEGIN
  IF coalesce(cardinality(chains), 0) <> coalesce(cardinality(seqs), 0) OR coalesce(cardinality(chains), 0) <> coalesce(cardinality(hashes), 0) THEN
    RAISE EXCEPTION 'chains, seqs and hashes differ in length' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR i IN 1 .. coalesce(cardinality(chains), 0) LOOP
    IF chains[i] IS NULL OR NOT mosaic_chain_in_scope(chains[i]) THEN
      RAISE EXCEPTION 'audit chain % is outside the caller''s scope', coalesce(chains[i], 'null') USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT h.seq, h.hash INTO cur_seq, cur_hash FROM audit_chain_heads h WHERE h.chain = chains[i] FOR UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'audit chain % has no head', chains[i] USING ERRCODE = 'no_data_found';
    END IF;
    IF seqs[i] = cur_seq AND hashes[i] = cur_hash THEN
      CONTINUE; -- nothing appended to this chain
    END IF;
    IF seqs[i] IS NULL OR seqs[i] <= cur_seq THEN
      RAISE EXCEPTION 'audit chain % head may only move forward (at %, asked %)', chains[i], cur_seq, seqs[i] USING ERRCODE = 'check_violation';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.chain = chains[i] AND e.seq = seqs[i] AND e.hash = hashes[i]) THEN
      RAISE EXCEPTION 'audit chain % has no event % with that hash', chains[i], seqs[i] USING ERRCODE = 'check_violation';
    END IF;
    UPDATE audit_chain_heads h SET seq = seqs[i], hash = hashes[i], updated_at = now() WHERE h.chain = chains[i];
  END LOOP;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION mosaic_advance_chain_heads(text[], bigint[], text[]) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION mosaic_advance_chain_heads(text[], bigint[], text[]) TO mosaic_app;
--> statement-breakpoint
-- An event joins its source trust's chain (or the consortium's), and only a caller whose scope
-- covers that chain may add it (lib/audit/chain.ts chainOf picks chains the same way).
DROP POLICY audit_events_insert ON audit_events;
--> statement-breakpoint
CREATE POLICY audit_events_insert ON audit_events FOR INSERT
  WITH CHECK (chain = coalesce(source_trust_id::text, 'consortium') AND mosaic_chain_in_scope(chain));
--> statement-breakpoint
-- The same rule for rows written to a partition directly (INSERT or COPY), where row-level
-- security does not apply. A statement trigger reads the statement's rows once; consortium-wide
-- work (the machine ingest, the seed) skips it at the cost of one function call per statement.
CREATE OR REPLACE FUNCTION mosaic_refuse_audit_rows_outside_scope() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF mosaic_scope_all() THEN
    RETURN NULL;
  END IF;
  IF EXISTS (
    SELECT 1 FROM new_rows
     WHERE chain IS DISTINCT FROM coalesce(source_trust_id::text, 'consortium')
        OR NOT (chain = ANY (mosaic_scope_trusts()::text[]))
  ) THEN
    RAISE EXCEPTION 'audit events outside the caller''s scope refused on %', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION mosaic_prepare_audit_partition(part regclass) RETURNS void
  LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
  EXECUTE format('GRANT INSERT ON %s TO mosaic_app', part);
  EXECUTE format('CREATE OR REPLACE TRIGGER audit_partition_cross_trust_rollup AFTER INSERT ON %s
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mosaic_rollup_cross_trust_views()', part);
  EXECUTE format('CREATE OR REPLACE TRIGGER audit_partition_no_truncate BEFORE TRUNCATE ON %s
    FOR EACH STATEMENT EXECUTE FUNCTION mosaic_refuse_audit_change()', part);
  EXECUTE format('CREATE OR REPLACE TRIGGER audit_partition_in_scope AFTER INSERT ON %s
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mosaic_refuse_audit_rows_outside_scope()', part);
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION mosaic_prepare_audit_partition(regclass) FROM PUBLIC;
--> statement-breakpoint
DO $$
DECLARE
  part regclass;
BEGIN
  FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'audit_events'::regclass LOOP
    PERFORM mosaic_prepare_audit_partition(part);
  END LOOP;
END
$$;
--> statement-breakpoint
-- Idempotency per owning chain. Ids stored before this migration take their chain from their
-- event; they have no digest, so a retry of one is compared with the stored event field by field.
ALTER TABLE audit_event_ids ADD COLUMN chain text;
--> statement-breakpoint
ALTER TABLE audit_event_ids ADD COLUMN digest text;
--> statement-breakpoint
UPDATE audit_event_ids i SET chain = e.chain FROM audit_events e WHERE e.id = i.id;
--> statement-breakpoint
-- An id with no event (none is expected: ids and events are written together) keeps claiming the
-- id in the consortium's chain, so it stays refused rather than silently reused.
UPDATE audit_event_ids SET chain = 'consortium' WHERE chain IS NULL;
--> statement-breakpoint
ALTER TABLE audit_event_ids ALTER COLUMN chain SET NOT NULL;
--> statement-breakpoint
ALTER TABLE audit_event_ids DROP CONSTRAINT audit_event_ids_pkey;
--> statement-breakpoint
ALTER TABLE audit_event_ids ADD CONSTRAINT audit_event_ids_pkey PRIMARY KEY (chain, id);
--> statement-breakpoint
ALTER TABLE audit_event_ids ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_event_ids FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY audit_event_ids_scoped ON audit_event_ids
  USING (mosaic_chain_in_scope(chain)) WITH CHECK (mosaic_chain_in_scope(chain));
--> statement-breakpoint
-- Two trusts' events may share an id: the key names the chain too (and occurred_at, the partition key).
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey;
--> statement-breakpoint
ALTER TABLE audit_events ADD CONSTRAINT audit_events_pkey PRIMARY KEY (id, chain, occurred_at);
--> statement-breakpoint
-- One alert per rule and event of a trust: another trust's event with the same id raises its own.
DROP INDEX audit_alerts_rule_event_key;
--> statement-breakpoint
CREATE UNIQUE INDEX audit_alerts_rule_event_key ON audit_alerts (rule, event_id, trust_id) WHERE event_id IS NOT NULL;
--> statement-breakpoint
-- Exams: one per trust and study UID (the study UID stays first, the key a distributed table
-- would be spread by).
ALTER TABLE exams DROP CONSTRAINT exams_pkey;
--> statement-breakpoint
ALTER TABLE exams ADD CONSTRAINT exams_study_instance_uid_trust_id_pk PRIMARY KEY (study_instance_uid, trust_id);
