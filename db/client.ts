import "server-only";
import net from "node:net";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { embeddedDatabaseUrl } from "./embedded";
import * as schema from "./schema";

type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type Executor = Db | Tx;

export type Database = {
  db: Db;
  /** The embedded PostgreSQL of this folder (npm start), or a server named by DATABASE_URL. */
  kind: "embedded" | "server";
  close: () => Promise<void>;
};

/**
 * A connection to the server with Nagle's algorithm off. postgres.js sends a COPY's end as a small
 * packet of its own; with Nagle on (Node's default for raw sockets) it waits for the server's delayed
 * ACK, about 40 ms, and every statement queued behind it waits too: one transaction appending a few
 * audit events with COPY took about 100 ms instead of 10 (measured on this server). postgres.js
 * connects the socket itself and has no option for this, so it is given sockets made here; its
 * TLS, timeouts and keep-alive still apply to them.
 */
function connectWithoutDelay(options: { host: string[]; port: number[]; path: string | false; connect_timeout: number }): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = options.path
      ? net.connect({ path: options.path, noDelay: true })
      : net.connect({ host: options.host[0] ?? "localhost", port: options.port[0] ?? 5432, noDelay: true });
    const timer = setTimeout(() => socket.destroy(new Error(`could not connect to PostgreSQL in ${options.connect_timeout} s`)), options.connect_timeout * 1000);
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
  });
}

/** Opens the PostgreSQL database at `url` through postgres.js. */
export function openDatabase(opts: { url: string; kind?: Database["kind"] }): Database {
  const client = postgres(opts.url, {
    max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
    onnotice: () => {},
    connection: { application_name: "mosaic" },
    // A documented option (postgres.js README, "Custom socket") missing from its types.
    ...({ socket: connectWithoutDelay } as object),
  });
  const db = drizzle(client, { schema }) as unknown as Db;
  return { db, kind: opts.kind ?? "server", close: () => client.end({ timeout: 5 }) };
}

const globalForDb = globalThis as unknown as { mosaicDatabase?: Database };

/** The process-wide database: DATABASE_URL, or the embedded PostgreSQL that npm start runs. */
export function getDatabase(): Database {
  globalForDb.mosaicDatabase ??= process.env.DATABASE_URL ? openDatabase({ url: process.env.DATABASE_URL }) : openDatabase({ url: embeddedDatabaseUrl(), kind: "embedded" });
  return globalForDb.mosaicDatabase;
}

/** Points the process at another database (tests: a fresh one per file). */
export function useDatabase(database: Database): void {
  globalForDb.mosaicDatabase = database;
}

/** Rows of a raw `execute` (postgres.js gives an array; `{ rows }` is taken too). */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
