import "server-only";
// COPY … FROM STDIN: the fastest way to append many rows, streamed so that the server stores one
// chunk while the application encodes the next.
import { once } from "node:events";
import type { Writable } from "node:stream";
import type { Sql } from "postgres";
import type { Tx } from "./client";

/** The postgres.js connection behind a transaction. */
export function copyConnectionOf(tx: Tx): Sql {
  // drizzle keeps the driver's transaction client on its session; postgres.js's is a tagged function.
  const client = (tx as unknown as { session?: { client?: unknown } }).session?.client;
  if (typeof client === "function" && "unsafe" in client) return client as Sql;
  throw new Error("not a postgres.js transaction: COPY needs one");
}

const reserved = /[\\\t\n\r]/;

/** One value in COPY's text format: \N for null, and backslash escapes for what the format reserves. */
export function copyValue(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "\\N";
  const text = String(value);
  if (!reserved.test(text)) return text;
  return text.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

const identifier = /^[a-z_][a-z0-9_]*$/;

/**
 * Streams text-format lines (tab-separated, newline-ended, values made with copyValue) into
 * `table`, one chunk at a time, and resolves once the server has stored them all; rejects, and
 * leaves the transaction to roll back, if the server refuses any.
 */
export async function copyInto(connection: Sql, table: string, columns: readonly string[], chunks: Iterable<string>): Promise<void> {
  if (!identifier.test(table) || !columns.every((c) => identifier.test(c))) throw new Error(`not a plain identifier: ${table} (${columns.join(", ")})`);
  const stream: Writable = await connection.unsafe(`copy ${table} (${columns.join(", ")}) from stdin`).writable();
  // postgres.js 3.4 never settles the stream when the server refuses the rows after the last one
  // was sent (porsager/postgres#1173): 'finish' would never come. So once its end has been sent,
  // a query follows on the same connection; it fails if the COPY did, and the wait ends either way.
  let endSent!: () => void;
  const ended = new Promise<void>((resolve) => (endSent = resolve));
  const final = stream._final?.bind(stream);
  if (!final) throw new Error("postgres.js COPY stream without _final");
  stream._final = (callback) => {
    final(callback);
    endSent();
  };
  const finished = once(stream, "finish");
  finished.catch(() => {}); // a refusal is reported below
  for (const chunk of chunks) {
    if (!stream.write(chunk)) await Promise.race([once(stream, "drain"), finished]);
  }
  stream.end();
  const refused = ended.then(() =>
    connection`select 1`.then(
      () => null,
      (error: unknown) => error,
    ),
  );
  const outcome = await Promise.race([finished.then(() => null), refused]);
  if (outcome) throw new Error(`The database refused the rows copied into ${table}: ${outcome instanceof Error ? outcome.message : String(outcome)}`);
  await finished;
}
