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
-- The limiter runs as the application role (lib/db/scope.ts). Counters are not tenant data (keys
-- are an account's email, a client address or an API key's id), so no row-level security; DELETE
-- because an expired counter is swept away, unlike every governed table.
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limits TO mosaic_app;
