import "server-only";
import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { RateLimiterRes as Res, RateLimiterStoreAbstract as StoreAbstract } from "rate-limiter-flexible";
// The two classes are imported from their own modules: the package's index does not export the
// store base class (its types declare it), and loading the index would load every store, among
// them RateLimiterDrizzle's computed dynamic import that a server bundle cannot trace.
// @ts-expect-error -- a module of the package without types of its own; typed by the cast below.
import StoreAbstractModule from "rate-limiter-flexible/lib/RateLimiterStoreAbstract.js";
// @ts-expect-error -- as above.
import RateLimiterResModule from "rate-limiter-flexible/lib/RateLimiterRes.js";
import { rateLimits } from "@/db/schema";
import { withSystem, type Tx } from "@/lib/db/scope";
import { env } from "@/lib/env";

// Rate limits for sign-in and the machine API, counted in PostgreSQL (table rate_limits) so that
// every app instance shares them. rate-limiter-flexible does the limiting; this module gives it a
// store over our own table because its ready-made stores do not fit:
// - RateLimiterDrizzle keeps one drizzle client for its lifetime and runs each statement on it
//   outside any transaction, i.e. as the connection's owner role instead of mosaic_app, never in
//   the caller's transaction (the API counts a key in the same transaction that checks it), and
//   loads drizzle-orm by a computed dynamic import the server bundle cannot trace;
// - RateLimiterPostgres wants a node-postgres pool, Sequelize, Knex or TypeORM (we have postgres.js
//   and PGlite) and creates its table at run time.
// Statements run as mosaic_app through withSystem, or inside the caller's transaction when one is
// passed as `{ tx }`, and use the database's clock so that instances agree on windows.

type StoredCount = { points: number; msLeft: number | null };
type StoreOptions = { tx?: Tx };

// Expired counters are swept at most this often per process, by a write that runs anyway.
const sweepEveryMs = 5 * 60_000;

const RateLimiterStoreAbstract = StoreAbstractModule as typeof StoreAbstract;
const RateLimiterRes = RateLimiterResModule as typeof Res;

class PostgresRateLimiter extends RateLimiterStoreAbstract {
  private lastSweep = Date.now();

  private run<T>(options: StoreOptions | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return options?.tx ? fn(options.tx) : withSystem(fn);
  }

  /** Adds `points` to the key's count in its window (or sets them, forceExpire), starting a new window if it has run out. */
  async _upsert(rlKey: string, points: number, msDuration: number, forceExpire = false, options?: StoreOptions): Promise<StoredCount> {
    const expire = msDuration > 0 ? sql`now() + ${msDuration} * interval '1 millisecond'` : sql`null::timestamptz`;
    const expired = sql`${rateLimits.expire} <= now()`;
    const sweep = !options?.tx && Date.now() - this.lastSweep > sweepEveryMs;
    if (sweep) this.lastSweep = Date.now();
    return this.run(options, async (tx) => {
      if (sweep) await tx.delete(rateLimits).where(lt(rateLimits.expire, sql`now()`));
      const [row] = await tx
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
    });
  }

  async _get(rlKey: string, options?: StoreOptions): Promise<StoredCount | null> {
    return this.run(options, async (tx) => {
      const [row] = await tx
        .select({ points: rateLimits.points, msLeft: msLeftOf() })
        .from(rateLimits)
        .where(and(eq(rateLimits.key, rlKey), or(isNull(rateLimits.expire), gt(rateLimits.expire, sql`now()`))));
      return row ?? null;
    });
  }

  async _delete(rlKey: string, options?: StoreOptions): Promise<boolean> {
    return this.run(options, async (tx) => {
      const deleted = await tx.delete(rateLimits).where(eq(rateLimits.key, rlKey)).returning({ key: rateLimits.key });
      return deleted.length > 0;
    });
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

let limiters: Record<RateLimitName, PostgresRateLimiter> | undefined;

function limiterOf(name: RateLimitName): PostgresRateLimiter {
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
      apiKey: make("api-key", e.RATE_LIMIT_API_PER_KEY),
      apiAddress: make("api-address", e.RATE_LIMIT_API_PER_ADDRESS),
    };
  }
  return limiters[name];
}

/**
 * Counts one attempt under `key` against the named limit; null when it is within the limit, else
 * the refusal. With `tx` the count is written in the caller's transaction (and so is undone if it
 * rolls back: commit the count of a refused or failed attempt).
 */
export async function consumeRateLimit(name: RateLimitName, key: string, tx?: Tx): Promise<RateLimited | null> {
  const limiter = limiterOf(name);
  try {
    await limiter.consume(key, 1, tx ? { tx } : {});
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
