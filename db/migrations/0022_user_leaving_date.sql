-- Hand-written: a leaving date in the future (issue 12). leaves_at is the instant a person becomes a
-- leaver: 00:00 London after their last working day (lib/calendar.ts endOfLondonDay). Until then they
-- stay active; from then sign-in and every session treat them as a leaver, and the jobs runner makes
-- the change (status, roles, sessions, links, audit) within minutes. Cleared when they leave.
ALTER TABLE "users" ADD COLUMN "leaves_at" timestamp with time zone;
--> statement-breakpoint
CREATE INDEX "users_leaves_at_idx" ON "users" ("leaves_at") WHERE "leaves_at" IS NOT NULL;
