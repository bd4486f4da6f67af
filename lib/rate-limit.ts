import "server-only";
import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { RateLimiterMemory as Memory, RateLimiterRes as Res, RateLimiterStoreAbstract as StoreAbstract } from "rate-limiter-flexible";
// The two classes are imported from their own modules: the package's index does not export the
// store base class (its types declare it), and loading the index would load every store, among
// them RateLimiterDrizzle's computed dynamic import that a server bundle cannot trace.
// @ts-expect-error -- a module of the package without types of its own; typed by the cast below.
import StoreAbstractModule from "rate-limiter-flexible/lib/RateLimiterStoreAbstract.js";
// @ts-expect-error -- as above.
import RateLimiterResModule from "rate-limiter-flexible/lib/RateLimiterRes.js";
// @ts-expect-error -- as above.
import RateLimiterMemoryModule from "rate-limiter-flexible/lib/RateLimiterMemory.js";
import { getDatabase } from "@/db/client";
import { rateLimits } from "@/db/schema";
import { env } from "@/lib/env";

// Sign-in rate limits are counted in PostgreSQL (table rate_limits) so that
// every app instance shares them. rate-limiter-flexible does the limiting; this module gives it a
// store over our own table because its ready-made stores do not fit:
// - RateLimiterDrizzle holds one drizzle client for its lifetime (tests and scripts switch
//   databases), uses each app instance's own clock for windows, and loads drizzle-orm by a computed
//   dynamic import that the server bundle cannot trace;
// - RateLimiterPostgres wants a node-postgres pool, Sequelize, Knex or TypeORM (we have postgres.js
//   only) and creates its table at run time.
//
// Each count is one statement on its own (autocommit), never inside a caller's transaction: the
// row of a busy key (every request of a PACS, one address for a whole trust) is then locked only
// while that statement runs, not across the round trips of a transaction, which halved the key
// check's throughput at 16 concurrent clients when tried. So it runs as the connection's role, not
// SET LOCAL ROLE mosaic_app: the table holds no tenant data and no row-level security applies;
// mosaic_app has the grants for a deployment that connects as a non-owner.
// Windows follow the database's clock, so that instances agree on them.

type StoredCount = { points: number; msLeft: number | null };

// Expired counters are swept at most this often per process, by a write that runs anyway.
const sweepEveryMs = 5 * 60_000;

const RateLimiterStoreAbstract = StoreAbstractModule as typeof StoreAbstract;
const RateLimiterRes = RateLimiterResModule as typeof Res;
const RateLimiterMemory = RateLimiterMemoryModule as typeof Memory;

class PostgresRateLimiter extends RateLimiterStoreAbstract {
  private lastSweep = Date.now();

  /** Adds `points` to the key's count in its window (or sets them, forceExpire), starting a new window if it has run out. */
  async _upsert(rlKey: string, points: number, msDuration: number, forceExpire = false): Promise<StoredCount> {
    const expire = msDuration > 0 ? sql`now() + ${msDuration} * interval '1 millisecond'` : sql`null::timestamptz`;
    const expired = sql`${rateLimits.expire} <= now()`;
    const { db } = getDatabase();
    if (Date.now() - this.lastSweep > sweepEveryMs) {
      this.lastSweep = Date.now();
      await db.delete(rateLimits).where(lt(rateLimits.expire, sql`now()`));
    }
    const [row] = await db
        .insert(rateLimits)
        .values({ key: rlKey, points, expire })
        .onConflictDoUpdate({
          target: rateLimits.key,
          set: forceExpire
            ? { points, expire }
            : {
                points: sql`case when ${expired} then excluded.points else ${rateLimits.points} + excluded.points end`,
                expire: sql`case when ${expired} then excluded.expire else ${rateLimits.expire} end`,
              },
        })
        .returning({ points: rateLimits.points, msLeft: msLeftOf() });
    if (!row) throw new Error("rate limit upsert returned no row");
    return row;
  }

  async _get(rlKey: string): Promise<StoredCount | null> {
    const [row] = await getDatabase()
      .db.select({ points: rateLimits.points, msLeft: msLeftOf() })
      .from(rateLimits)
      .where(and(eq(rateLimits.key, rlKey), or(isNull(rateLimits.expire), gt(rateLimits.expire, sql`now()`))));
    return row ?? null;
  }

  async _delete(rlKey: string): Promise<boolean> {
    const deleted = await getDatabase().db.delete(rateLimits).where(eq(rateLimits.key, rlKey)).returning({ key: rateLimits.key });
    return deleted.length > 0;
  }

  _getRateLimiterRes(_rlKey: string, changedPoints: number, result: StoredCount): Res {
    const consumed = Number(result.points);
    return new RateLimiterRes(Math.max(this.points - consumed, 0), result.msLeft === null ? -1 : Math.max(Math.ceil(Number(result.msLeft)), 0), consumed, consumed === changedPoints);
  }
}

function msLeftOf() {
  return sql<number | null>`(extract(epoch from (${rateLimits.expire} - now())) * 1000)::float8`;
}

export type RateLimitName = "signInAccount" | "signInAddress" | "apiKey" | "apiAddress";

/** A refusal: how long until the window ends, and whether this is the attempt that crossed the limit (audit it once, not a flood of rows). */
export type RateLimited = { limit: RateLimitName; points: number; windowSeconds: number; retryAfterSeconds: number; isFirstRefusal: boolean };

let limiters: Record<RateLimitName, PostgresRateLimiter | Memory> | undefined;

function limiterOf(name: RateLimitName): PostgresRateLimiter | Memory {
  if (!limiters) {
    const e = env();
    const make = (keyPrefix: string, points: number) =>
      new PostgresRateLimiter({
        storeClient: rateLimits,
        keyPrefix,
        points,
        duration: e.RATE_LIMIT_WINDOW_SECONDS,
        // Once a key is over its limit, this instance refuses it from memory until the window ends:
        // a flood costs the database one write per instance and window, not one per request.
        inMemoryBlockOnConsumed: points + 1,
      });
    limiters = {
      signInAccount: make("sign-in-account", e.RATE_LIMIT_SIGN_IN_PER_ACCOUNT),
      signInAddress: make("sign-in-address", e.RATE_LIMIT_SIGN_IN_PER_ADDRESS),
      // The machine API's limits are counted in each app instance's memory: they guard the service
      // against a flood, not a secret against guessing (a key is 256 random bits), and a database
      // write on every PACS request halved the key check's rate at 16 concurrent clients. With
      // several instances behind a load balancer each allows this much.
      apiKey: new RateLimiterMemory({ keyPrefix: "api-key", points: e.RATE_LIMIT_API_PER_KEY, duration: e.RATE_LIMIT_WINDOW_SECONDS }),
      apiAddress: new RateLimiterMemory({ keyPrefix: "api-address", points: e.RATE_LIMIT_API_PER_ADDRESS, duration: e.RATE_LIMIT_WINDOW_SECONDS }),
    };
  }
  return limiters[name];
}

/**
 * Counts one attempt under `key` against the named limit, at once and for good; null when it is
 * within the limit, else the refusal. Call it outside any transaction (see above).
 */
export async function consumeRateLimit(name: RateLimitName, key: string): Promise<RateLimited | null> {
  const limiter = limiterOf(name);
  try {
    await limiter.consume(key, 1);
    return null;
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    return {
      limit: name,
      points: limiter.points,
      windowSeconds: limiter.duration,
      retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)),
      // Refused from memory (consumed 0) or after another attempt already crossed: not the first.
      isFirstRefusal: error.consumedPoints === limiter.points + 1,
    };
  }
}
