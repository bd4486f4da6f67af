import "server-only";
// The checkpoint witness: every signed checkpoint (its JWS) is published outside the database
// before it counts, so that whoever owns the database cannot delete checkpoints and rewrite the
// events behind them unnoticed (DESIGN.md, "Checkpoint witness"). Verification holds the database
// against what the witness holds. A witness is append-only: an entry once published is never
// changed or removed. The folder below is the first implementation; an object store with object
// lock, or a syslog sink, is a second one behind the same type.
import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";

/** One published checkpoint: its chain and sequence number, and the compact JWS that signs them. */
type WitnessEntry = { chain: string; seq: number; jws: string };

export type Witness = {
  /** Where it is, for messages. */
  readonly description: string;
  /** Publishes a checkpoint durably: when this resolves, the entry survives a crash. */
  publish(entry: WitnessEntry): Promise<void>;
  /** Every entry, of one chain or of all, in the order published. */
  list(chain?: string): Promise<WitnessEntry[]>;
  /** The newest entry of a chain (what the checkpointer starts from), without reading the rest. */
  latest(chain: string): Promise<WitnessEntry | null>;
  /** The chains it holds entries of. */
  chains(): Promise<string[]>;
};

// A chain is a trust's id or "consortium": nothing that could climb out of the folder.
const chainName = /^[A-Za-z0-9_-]{1,100}$/;
const suffix = ".jws-log";

function lineOf(entry: WitnessEntry): string {
  if (!chainName.test(entry.chain)) throw new Error(`Not a chain name the witness accepts: ${JSON.stringify(entry.chain)}.`);
  if (!Number.isSafeInteger(entry.seq) || entry.seq < 1) throw new Error(`Not a sequence number: ${entry.seq}.`);
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(entry.jws)) throw new Error("Not a compact JWS.");
  return `${entry.seq} ${entry.jws}\n`;
}

function entriesOf(chain: string, text: string): WitnessEntry[] {
  const out: WitnessEntry[] = [];
  // A line without its newline is a write cut short by a crash: it never counted as published.
  const lines = text.split("\n");
  lines.pop();
  for (const line of lines) {
    // A line cut short and closed off by the next write is not an entry either.
    const m = /^(\d+) ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(line);
    if (m?.[1] && m[2]) out.push({ chain, seq: Number(m[1]), jws: m[2] });
  }
  return out;
}

/**
 * A folder witness: one file per chain, `<chain>.jws-log`, one line per checkpoint, only ever
 * appended to (O_APPEND) and fsynced before publish resolves; the folder is fsynced when a file is
 * made. In production the folder is a write-once mount (WORM storage, or a directory the database's
 * owner cannot write): see README, "Audit trail".
 */
export function folderWitness(dir: string): Witness {
  const root = path.resolve(/*turbopackIgnore: true*/ dir);
  const fileOf = (chain: string) => {
    if (!chainName.test(chain)) throw new Error(`Not a chain name the witness accepts: ${JSON.stringify(chain)}.`);
    return path.join(root, `${chain}${suffix}`);
  };
  const read = async (chain: string) => {
    try {
      return entriesOf(chain, await fs.promises.readFile(fileOf(chain), "utf8"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  };
  const chains = async () => {
    try {
      return (await fs.promises.readdir(root)).filter((f) => f.endsWith(suffix)).map((f) => f.slice(0, -suffix.length)).filter((c) => chainName.test(c)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  };
  return {
    description: `the witness folder ${root}`,
    async publish(entry) {
      const line = lineOf(entry);
      await fs.promises.mkdir(root, { recursive: true });
      const file = fileOf(entry.chain);
      const handle = await fs.promises.open(file, "a");
      try {
        // A line cut short by an earlier crash is closed first, so that this one stands on its own.
        const { size } = await handle.stat();
        let prefix = "";
        if (size > 0) {
          const last = Buffer.alloc(1);
          const fd = await fs.promises.open(file, "r");
          try {
            await fd.read(last, 0, 1, size - 1);
          } finally {
            await fd.close();
          }
          if (last.toString() !== "\n") prefix = "\n";
        }
        await handle.write(prefix + line);
        await handle.sync();
      } finally {
        await handle.close();
      }
      // The file's name in the folder is made durable too (a no-op cost once it exists).
      const dirHandle = await fs.promises.open(root, "r");
      try {
        await dirHandle.sync();
      } finally {
        await dirHandle.close();
      }
    },
    async list(chain) {
      if (chain !== undefined) return read(chain);
      return (await Promise.all((await chains()).map(read))).flat();
    },
    async latest(chain) {
      // The last complete line, read from the end of the file.
      let handle;
      try {
        handle = await fs.promises.open(fileOf(chain), "r");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
      try {
        const { size } = await handle.stat();
        for (let span = 4096; ; span *= 4) {
          const start = Math.max(0, size - span);
          const buffer = Buffer.alloc(size - start);
          await handle.read(buffer, 0, buffer.length, start);
          const text = buffer.toString("utf8");
          const cut = start === 0 ? 0 : text.indexOf("\n") + 1;
          const entries = cut > 0 || start === 0 ? entriesOf(chain, text.slice(cut)) : [];
          if (entries.length > 0) return entries.at(-1) ?? null;
          if (start === 0) return null;
        }
      } finally {
        await handle.close();
      }
    },
    chains,
  };
}

/**
 * The demo's witness folder when AUDIT_WITNESS_DIR is not set: audit-witness in MOSAIC_DATA_DIR
 * (`.data/audit-witness` by default), beside the embedded database. It proves
 * nothing against whoever owns the machine; production sets AUDIT_WITNESS_DIR (lib/env.ts).
 */
export function demoWitnessDir(): string {
  const base = process.env.MOSAIC_DATA_DIR ?? ".data";
  return path.resolve(/*turbopackIgnore: true*/ base, "audit-witness");
}

/** The witness this process publishes to and verifies against: the folder AUDIT_WITNESS_DIR, else the demo's. */
export function configuredWitness(): Witness {
  return folderWitness(env().AUDIT_WITNESS_DIR ?? demoWitnessDir());
}
