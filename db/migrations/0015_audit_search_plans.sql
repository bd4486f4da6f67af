-- The audit search reads a page in index order and stops (keyset paging): these make that the plan
-- PostgreSQL chooses at any length of history.
--
-- 1. The read policy's scope functions become InitPlans, computed once per statement instead of once
-- per row. The rows it lets through are exactly the same. Per row, the planner could not see through
-- current_setting() and guessed that the policy kept 1 row in 200, so for a user's or a patient's
-- page it chose to read every one of their events in every month and sort them (the search grew
-- with history); with the scope as a parameter it takes the index order, walks the monthly
-- partitions newest first and stops when the page is full. It also stops parsing the trust list
-- from text for every row a trust's officer reads.
ALTER POLICY audit_events_select ON audit_events
  USING ((SELECT mosaic_scope_all()) OR source_trust_id = ANY ((SELECT mosaic_scope_trusts())::uuid[]) OR actor_trust_id = ANY ((SELECT mosaic_scope_trusts())::uuid[]));
--> statement-breakpoint
-- 2. The consortium's officers search the whole trail newest first (no trust, patient or user to
-- lead an index): without an index in time order every such page read and sorted every event.
-- Events arrive in time order, so this index grows at its right-hand edge (cheap on ingest).
CREATE INDEX audit_events_occurred_idx ON audit_events (occurred_at DESC, id);
--> statement-breakpoint
-- 3. The patient, user and staff-trust indexes carry the trust columns the read policy looks at, so
-- that where a trust's officer may see only some of an index's entries (a patient's or a user's
-- events; their own staff's work on other trusts' images), the page's keys are found from the
-- index alone (an index-only scan of time, id and the trusts) and only the page's own rows are read
-- from the table. Before, each entry was read from the table just to learn that it belonged to
-- another trust: a search for someone the trust barely saw read their whole history.
DROP INDEX audit_events_patient_idx;
--> statement-breakpoint
CREATE INDEX audit_events_patient_idx ON audit_events (patient_nhs_number, occurred_at DESC, id) INCLUDE (source_trust_id, actor_trust_id) WHERE patient_nhs_number IS NOT NULL;
--> statement-breakpoint
DROP INDEX audit_events_actor_email_idx;
--> statement-breakpoint
CREATE INDEX audit_events_actor_email_idx ON audit_events (actor_email, occurred_at DESC, id) INCLUDE (source_trust_id, actor_trust_id);
--> statement-breakpoint
DROP INDEX audit_events_actor_trust_idx;
--> statement-breakpoint
CREATE INDEX audit_events_actor_trust_idx ON audit_events (actor_trust_id, occurred_at DESC, id) INCLUDE (source_trust_id);
--> statement-breakpoint
-- 4. Break-glass accesses, newest first: a handful a week among a million events, so without their
-- own index "break-glass only" read the whole window to find them. Only those rows are indexed, so
-- ingest pays for nothing else.
CREATE INDEX audit_events_break_glass_idx ON audit_events (occurred_at DESC, id) WHERE break_glass_justification IS NOT NULL;
