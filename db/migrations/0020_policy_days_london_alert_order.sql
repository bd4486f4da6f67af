-- Hand-written. Two changes.
--
-- 1. A sharing policy version's window is London days, as a role's is (0019, lib/calendar.ts): it
-- is in effect from 00:00 London on its first day until 00:00 London on its "until" day. Until now
-- the days were stored as UTC midnights, so a window that starts or ends in summer time moved an
-- hour late (a policy ending on 1 April 2027 still permitted until 01:00 that day, and one starting
-- on 1 June read as starting on 31 May once shown in UK time). Rows written that way are exactly
-- UTC midnights; each is moved to London midnight of the same date (a no-op in winter, an hour
-- earlier in summer). Other instants are left alone. Published versions are immutable (the guard
-- trigger of 0010): the guard is set aside for this one statement of the migration, which changes
-- no window's dates, only the instant each date is stored as. The generation trigger still fires, so
-- every instance's compiled policy set reloads. sharing_policy_versions forces row-level security
-- on its owner too: the update sees every trust's rows only in the consortium-wide scope, set for
-- this transaction and cleared after.
SELECT set_config('mosaic.scope_all', 'on', true);
--> statement-breakpoint
ALTER TABLE sharing_policy_versions DISABLE TRIGGER sharing_policy_versions_guard;
--> statement-breakpoint
UPDATE sharing_policy_versions
SET effective_from = CASE
      WHEN (effective_from AT TIME ZONE 'UTC') = date_trunc('day', effective_from AT TIME ZONE 'UTC')
      THEN ((effective_from AT TIME ZONE 'UTC')::date)::timestamp AT TIME ZONE 'Europe/London'
      ELSE effective_from END,
    effective_until = CASE
      WHEN effective_until IS NOT NULL AND (effective_until AT TIME ZONE 'UTC') = date_trunc('day', effective_until AT TIME ZONE 'UTC')
      THEN ((effective_until AT TIME ZONE 'UTC')::date)::timestamp AT TIME ZONE 'Europe/London'
      ELSE effective_until END
WHERE ((effective_from AT TIME ZONE 'UTC') = date_trunc('day', effective_from AT TIME ZONE 'UTC')
       AND effective_from <> ((effective_from AT TIME ZONE 'UTC')::date)::timestamp AT TIME ZONE 'Europe/London')
   OR (effective_until IS NOT NULL
       AND (effective_until AT TIME ZONE 'UTC') = date_trunc('day', effective_until AT TIME ZONE 'UTC')
       AND effective_until <> ((effective_until AT TIME ZONE 'UTC')::date)::timestamp AT TIME ZONE 'Europe/London');
--> statement-breakpoint
ALTER TABLE sharing_policy_versions ENABLE TRIGGER sharing_policy_versions_guard;
--> statement-breakpoint
SELECT set_config('mosaic.scope_all', '', true);
--> statement-breakpoint
-- 2. The alert queue is ordered by the time of the event each alert shows, newest first, and paged
-- on (event_occurred_at, id) (lib/audit/alerts.ts listAlerts). The index of 0004 ordered by
-- created_at, which no query reads any more: it is replaced by one for a trust's open queue (the
-- default view of a trust's IG officer) and one in event order for the consortium-wide queue and
-- the other statuses, each read in the queue's order and stopped after a page.
DROP INDEX IF EXISTS audit_alerts_queue_idx;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS audit_alerts_open_queue_idx ON audit_alerts (trust_id, event_occurred_at DESC, id DESC) WHERE status IN ('open', 'assigned');
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS audit_alerts_event_order_idx ON audit_alerts (event_occurred_at DESC, id DESC);
