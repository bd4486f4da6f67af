-- Hand-written: grants, row-level security for the capacity tables, and the trigger that keeps the
-- cross-trust viewing rollup from the audit trail.
--
-- Tenant tables (exams, storage, trust rollups, quota requests): a caller sees and writes only rows
-- of its trusts. No DELETE for the application role: exams and snapshots are facts, requests are
-- decided, not removed; only the rebuild command (run as the owner) empties rollups.
GRANT SELECT, INSERT ON exams TO mosaic_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON storage_quotas, storage_usage, capacity_exams_hourly, capacity_exams_daily,
  capacity_storage_daily, quota_change_requests, capacity_consortium_exams_daily, capacity_consortium_storage_daily,
  capacity_cross_trust_daily TO mosaic_app;
--> statement-breakpoint
ALTER TABLE exams ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE exams FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY exams_tenant ON exams USING (mosaic_in_scope(trust_id)) WITH CHECK (mosaic_in_scope(trust_id));
--> statement-breakpoint
ALTER TABLE storage_quotas ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE storage_quotas FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY storage_quotas_tenant ON storage_quotas USING (mosaic_in_scope(trust_id)) WITH CHECK (mosaic_in_scope(trust_id));
--> statement-breakpoint
ALTER TABLE storage_usage ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE storage_usage FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY storage_usage_tenant ON storage_usage USING (mosaic_in_scope(trust_id)) WITH CHECK (mosaic_in_scope(trust_id));
--> statement-breakpoint
ALTER TABLE capacity_exams_hourly ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE capacity_exams_hourly FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY capacity_exams_hourly_tenant ON capacity_exams_hourly USING (mosaic_in_scope(trust_id)) WITH CHECK (mosaic_in_scope(trust_id));
--> statement-breakpoint
ALTER TABLE capacity_exams_daily ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE capacity_exams_daily FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY capacity_exams_daily_tenant ON capacity_exams_daily USING (mosaic_in_scope(trust_id)) WITH CHECK (mosaic_in_scope(trust_id));
--> statement-breakpoint
ALTER TABLE capacity_storage_daily ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE capacity_storage_daily FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY capacity_storage_daily_tenant ON capacity_storage_daily USING (mosaic_in_scope(trust_id)) WITH CHECK (mosaic_in_scope(trust_id));
--> statement-breakpoint
ALTER TABLE quota_change_requests ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE quota_change_requests FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY quota_change_requests_tenant ON quota_change_requests USING (mosaic_in_scope(trust_id)) WITH CHECK (mosaic_in_scope(trust_id));
--> statement-breakpoint
-- Consortium totals carry no trust breakdown, so every caller with some scope may read them (a
-- trust's CIO compares against them). Any scoped ingest adds its own exams to them.
ALTER TABLE capacity_consortium_exams_daily ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE capacity_consortium_exams_daily FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY capacity_consortium_exams_daily_scoped ON capacity_consortium_exams_daily
  USING (mosaic_scope_all() OR cardinality(mosaic_scope_trusts()) > 0)
  WITH CHECK (mosaic_scope_all() OR cardinality(mosaic_scope_trusts()) > 0);
--> statement-breakpoint
ALTER TABLE capacity_consortium_storage_daily ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE capacity_consortium_storage_daily FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY capacity_consortium_storage_daily_scoped ON capacity_consortium_storage_daily
  USING (mosaic_scope_all() OR cardinality(mosaic_scope_trusts()) > 0)
  WITH CHECK (mosaic_scope_all() OR cardinality(mosaic_scope_trusts()) > 0);
--> statement-breakpoint
-- A trust sees the views of its imaging by other trusts and its own staff's views of other trusts'
-- imaging, as it sees the audit events themselves (0001_security.sql), nothing between two others.
ALTER TABLE capacity_cross_trust_daily ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE capacity_cross_trust_daily FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY capacity_cross_trust_daily_tenant ON capacity_cross_trust_daily
  USING (mosaic_in_scope(source_trust_id) OR mosaic_in_scope(actor_trust_id))
  WITH CHECK (mosaic_in_scope(source_trust_id) OR mosaic_in_scope(actor_trust_id));
--> statement-breakpoint
-- Cross-trust viewing rollup, kept in the same transaction as whatever inserts the audit events
-- (the machine API, the demo seed): one statement-level trigger aggregates the inserted rows.
CREATE OR REPLACE FUNCTION mosaic_rollup_cross_trust_views() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO capacity_cross_trust_daily AS r (source_trust_id, actor_trust_id, day, view_count)
  SELECT source_trust_id, actor_trust_id, (occurred_at AT TIME ZONE 'Europe/London')::date, count(*)
    FROM new_rows
   WHERE action = 'study.view' AND outcome = 'success'
     AND source_trust_id IS NOT NULL AND actor_trust_id IS NOT NULL AND source_trust_id <> actor_trust_id
   GROUP BY 1, 2, 3
  ON CONFLICT (source_trust_id, actor_trust_id, day) DO UPDATE SET view_count = r.view_count + excluded.view_count;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_cross_trust_rollup AFTER INSERT ON audit_events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mosaic_rollup_cross_trust_views();
--> statement-breakpoint
-- Element-wise sum of two hour-count arrays (capacity_exams_daily.hour_counts), for the ingest's
-- upsert: the day's counts so far plus the batch's.
CREATE OR REPLACE FUNCTION mosaic_add_counts(a integer[], b integer[]) RETURNS integer[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)
$$;
