-- The public directory of member trusts (ODS code and name are public in NHS ODS). Row-level
-- security keeps the trusts table to the caller's scope; pages that must name another trust (an
-- audit event by another trust's staff, a sharing policy's targets) read this instead.
CREATE OR REPLACE FUNCTION mosaic_trust_directory()
  RETURNS TABLE (id uuid, ods_code text, name text, status text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT t.id, t.ods_code, t.name, t.status FROM trusts t ORDER BY t.name
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION mosaic_trust_directory() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION mosaic_trust_directory() TO mosaic_app;
