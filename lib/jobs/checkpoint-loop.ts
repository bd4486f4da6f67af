import "server-only";
// The checkpoint loop: every AUDIT_CHECKPOINT_SECONDS the serving process signs a checkpoint of
// each chain whose head moved since its last one, and publishes it to the witness. What an ingest
// adds is unprotected (rewritable by whoever owns the database without verification noticing) only
// until the next tick: at most AUDIT_CHECKPOINT_SECONDS plus the signing. Coalesced: however many
// ingests a chain took, it gets at most one checkpoint a tick. Several instances may run it: a
// transaction-level advisory lock per chain (createCheckpoints) lets one of them sign each head.
import { getDatabase, type Db } from "@/db/client";
import { chainsToCheckpoint, createCheckpoints, type CheckpointRun } from "@/lib/audit/checkpoints";
import { loadSigningKey, type SigningKey } from "@/lib/audit/signing-key";
import { configuredWitness, type Witness } from "@/lib/audit/witness";
import { env } from "@/lib/env";

export type CheckpointLoop = {
  /** Stops the loop; resolves once a tick under way has finished. */
  stop(): Promise<void>;
  /** One tick now (what the timer runs): the chains signed, or null without a signing key. */
  tick(): Promise<CheckpointRun[] | null>;
};

/** Starts the loop (see above). Errors are logged, never thrown: the next tick tries again. */
export function startCheckpointLoop(
  options: { db?: Db; intervalSeconds?: number; key?: SigningKey; witness?: Witness; onTick?: (runs: CheckpointRun[]) => void } = {},
): CheckpointLoop {
  const intervalMs = (options.intervalSeconds ?? env().AUDIT_CHECKPOINT_SECONDS) * 1000;
  const witness = options.witness ?? configuredWitness();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let warnedNoKey = false;

  const tick = async (): Promise<CheckpointRun[] | null> => {
    const key = options.key ?? (await loadSigningKey({ create: false }));
    if (!key) {
      if (!warnedNoKey) console.error("[mosaic] audit checkpoints: no signing key (AUDIT_SIGNING_KEY): nothing is signed.");
      warnedNoKey = true;
      return null;
    }
    const db = options.db ?? getDatabase().db;
    const chains = await chainsToCheckpoint(db);
    if (chains.length === 0) return [];
    const runs = await createCheckpoints(db, key, { witness, chains });
    for (const r of runs) if (r.status === "broken") console.error(`[mosaic] audit chain ${r.chain} does not verify, not signed: ${r.message}`);
    options.onTick?.(runs);
    return runs;
  };

  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      const started = Date.now();
      running = tick()
        .catch((error: unknown) => console.error("[mosaic] audit checkpoints:", error))
        // The next tick N seconds after this one began (sooner never: at most one checkpoint a chain a tick).
        .finally(() => schedule(Math.max(0, intervalMs - (Date.now() - started))));
    }, delay);
    // The loop alone never keeps a process alive.
    timer.unref();
  };
  schedule(0);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    tick,
  };
}
