-- A trust's officer searching a user sees the user's events on their trust's images and the user's
-- events as their trust's staff. In the user's index (actor_email, occurred_at) those lie scattered
-- through the user's whole history: for another trust's member of staff, the few on this trust's
-- images meant reading every entry of the user (the page grew with the length of their history).
-- One index per side keeps each side's entries together, in time order, after the user and the trust.
-- Each carries the other trust column, which the read policy checks, so the page's keys are found
-- from the index alone.
CREATE INDEX audit_events_actor_email_source_idx ON audit_events (actor_email, source_trust_id, occurred_at DESC, id) INCLUDE (actor_trust_id);
--> statement-breakpoint
CREATE INDEX audit_events_actor_email_staff_idx ON audit_events (actor_email, actor_trust_id, occurred_at DESC, id) INCLUDE (source_trust_id);
--> statement-breakpoint
-- The user's own index now serves the consortium's officers only, who see every entry: it no longer
-- needs the trust columns.
DROP INDEX audit_events_actor_email_idx;
--> statement-breakpoint
CREATE INDEX audit_events_actor_email_idx ON audit_events (actor_email, occurred_at DESC, id);
