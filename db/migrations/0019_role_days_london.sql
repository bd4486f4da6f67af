-- Hand-written: a role's window runs from 00:00 London on its first day to 00:00 London after its
-- last day (lib/calendar.ts). Until now the days were stored as UTC midnights, so a window that
-- starts or ends in summer time was an hour late: a last day of 31 March 2027 lasted until 01:00
-- on 1 April and showed as 1 April. Rows written that way are exactly UTC midnights; each is moved
-- to London midnight of the same date (a no-op in winter, an hour earlier in summer), so that the
-- pages read the last day back right and a new grant of the same days matches the old row exactly
-- (the import's "already imported" check compares instants). Other instants are left alone.
-- role_assignments forces row-level security on its owner too: the updates see every trust's rows
-- only in the consortium-wide scope, set for this transaction and cleared after.
SELECT set_config('mosaic.scope_all', 'on', true);
--> statement-breakpoint
UPDATE role_assignments
SET valid_from = ((valid_from AT TIME ZONE 'UTC')::date)::timestamp AT TIME ZONE 'Europe/London'
WHERE (valid_from AT TIME ZONE 'UTC') = date_trunc('day', valid_from AT TIME ZONE 'UTC')
  AND valid_from <> ((valid_from AT TIME ZONE 'UTC')::date)::timestamp AT TIME ZONE 'Europe/London';
--> statement-breakpoint
UPDATE role_assignments
SET valid_until = ((valid_until AT TIME ZONE 'UTC')::date)::timestamp AT TIME ZONE 'Europe/London'
WHERE valid_until IS NOT NULL
  AND (valid_until AT TIME ZONE 'UTC') = date_trunc('day', valid_until AT TIME ZONE 'UTC')
  AND valid_until <> ((valid_until AT TIME ZONE 'UTC')::date)::timestamp AT TIME ZONE 'Europe/London';
--> statement-breakpoint
SELECT set_config('mosaic.scope_all', '', true);
