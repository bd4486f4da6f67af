-- Hand-written: rate-limit counters for sign-in and the machine API (lib/rate-limit.ts), kept in
-- PostgreSQL so that every app instance counts against the same limits.
-- UNLOGGED: nothing here is worth keeping through a crash (the worst is a fresh window), and a
-- write to an unlogged table needs no WAL flush at commit, so counting every API request stays
-- cheap.
CREATE UNLOGGED TABLE IF NOT EXISTS rate_limits (
  key text PRIMARY KEY,
  points integer NOT NULL,
  expire timestamptz
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS rate_limits_expire_idx ON rate_limits (expire);
--> statement-breakpoint
-- Each count is a statement of its own, outside the callers' transactions (lib/rate-limit.ts says
-- why), so it runs as the connection's role; mosaic_app gets what it needs for a deployment that
-- connects as a non-owner. Counters are not tenant data (keys are an account's email, a client
-- address or an API key's id), so no row-level security; DELETE because expired counters are
-- swept away, unlike any governed table.
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limits TO mosaic_app;
