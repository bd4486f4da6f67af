-- Bulk appends to the audit trail by COPY (lib/audit/append.ts). PostgreSQL refuses COPY FROM into
-- a table with row-level security for a role it applies to, and audit_events has it; its monthly
-- partitions do not. So the machine ingest COPYs each month's rows straight into that month's
-- partition: mosaic_app gets INSERT (never SELECT, so every read still goes through the parent
-- and its policies) on each partition, and each partition gets the triggers that a statement on
-- the parent would have fired:
--   * the cross-trust viewing rollup (a statement trigger fires only on the table the statement
--     names, so the parent's does not see rows written to a partition directly, and the
--     partition's does not fire for rows routed through the parent: nothing is counted twice);
--   * the TRUNCATE guard (TRUNCATE of one partition does not fire the parent's).
-- Row triggers (the UPDATE/DELETE guard) are cloned to partitions by PostgreSQL already.
--
-- Partitions are whole UTC months, whatever the server's TimeZone: the bounds were dates read in
-- the session's time zone before, which on a server outside UTC would not match the UTC month the
-- application names them by.
-- Called by the partition maker below (which runs as the owner) and once here for older partitions.
CREATE OR REPLACE FUNCTION mosaic_prepare_audit_partition(part regclass) RETURNS void
  LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
  EXECUTE format('GRANT INSERT ON %s TO mosaic_app', part);
  EXECUTE format('CREATE OR REPLACE TRIGGER audit_partition_cross_trust_rollup AFTER INSERT ON %s
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mosaic_rollup_cross_trust_views()', part);
  EXECUTE format('CREATE OR REPLACE TRIGGER audit_partition_no_truncate BEFORE TRUNCATE ON %s
    FOR EACH STATEMENT EXECUTE FUNCTION mosaic_refuse_audit_change()', part);
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION mosaic_prepare_audit_partition(regclass) FROM PUBLIC;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION mosaic_ensure_audit_partition(month_start date) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  lower_bound date := date_trunc('month', month_start)::date;
  part_name text := format('audit_events_%s', to_char(month_start, 'YYYY_MM'));
BEGIN
  IF to_regclass(part_name) IS NOT NULL THEN
    RETURN;
  END IF;
  EXECUTE format(
    'CREATE TABLE IF NOT EXISTS %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)',
    part_name, lower_bound::timestamp AT TIME ZONE 'UTC', (lower_bound + interval '1 month')::timestamp AT TIME ZONE 'UTC'
  );
  PERFORM mosaic_prepare_audit_partition(part_name::regclass);
EXCEPTION WHEN duplicate_table OR unique_violation THEN
  -- another transaction created it first
  NULL;
END
$$;
--> statement-breakpoint
-- The partitions made before this migration.
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
-- Where each partition starts and ends, for routing a batch's rows to the partition that holds them.
CREATE OR REPLACE FUNCTION mosaic_audit_partitions(lo timestamptz, hi timestamptz)
  RETURNS TABLE (name text, starts timestamptz, ends timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT c.relname::text, b.m[1]::timestamptz, b.m[2]::timestamptz
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    CROSS JOIN LATERAL (SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)') AS m) b
   WHERE i.inhparent = 'audit_events'::regclass
     AND b.m[1]::timestamptz <= hi AND b.m[2]::timestamptz > lo
   ORDER BY 2
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION mosaic_audit_partitions(timestamptz, timestamptz) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION mosaic_audit_partitions(timestamptz, timestamptz) TO mosaic_app;
