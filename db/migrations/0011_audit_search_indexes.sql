-- Indexes that serve the searches, and only them: every index is paid for on each ingested event.
-- The user search filters by email (the PACS knows users by email; Mosaic may not know them at all).
DROP INDEX IF EXISTS audit_events_actor_idx;
--> statement-breakpoint
CREATE INDEX audit_events_actor_email_idx ON audit_events (actor_email, occurred_at DESC, id);
--> statement-breakpoint
-- The target index serves a record's history in the portal (a user's, an alert's); access events
-- name their study in study_instance_uid and need no second entry here.
DROP INDEX IF EXISTS audit_events_target_idx;
--> statement-breakpoint
CREATE INDEX audit_events_target_idx ON audit_events (target_type, target_id, occurred_at DESC) WHERE target_id IS NOT NULL AND target_type <> 'study';
