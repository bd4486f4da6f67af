-- The IG officer searches the trail by study: its Study Instance UID, or the accession number the
-- requesting clinician quotes. A study's events are few, as a patient's are, and are read the same
-- way: in the study's own index, newest first, stopping when the page is full, so the search costs
-- a page whatever the length of history. Each index carries the trust columns the read policy checks,
-- so a trust's officer finds the page's keys from the index alone (see 0015_audit_search_plans.sql).
-- Only events that name a study are indexed: sign-ins and the portal's own events cost nothing here.
CREATE INDEX audit_events_study_idx ON audit_events (study_instance_uid, occurred_at DESC, id) INCLUDE (source_trust_id, actor_trust_id) WHERE study_instance_uid IS NOT NULL;
--> statement-breakpoint
CREATE INDEX audit_events_accession_idx ON audit_events (accession_number, occurred_at DESC, id) INCLUDE (source_trust_id, actor_trust_id) WHERE accession_number IS NOT NULL;
