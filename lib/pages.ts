import "server-only";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import type { Ctx } from "./auth/context";
import { AppError } from "./errors";
import { forbiddenKeyMessage, isForbiddenKey } from "./untrusted-keys";

/** Awaits a read for a page; NOT_FOUND from lib/ becomes the page's 404, exactly as a missing record. */
export async function orNotFound<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
}

/**
 * A record page's title for generateMetadata: the record's title for a caller who may see it, and
 * "Not found" when the page will answer 404 (no record, another trust's, or no right to the page),
 * so that a 404 never carries the title of the page it stands in for, nor a name it must not leak.
 * `title` returns null when the record is there but the page is not the caller's (an edit page
 * without the right to edit).
 */
export async function titleOf<T>(ctx: Ctx | null, read: (ctx: Ctx) => Promise<T>, title: (found: T) => string | null): Promise<Metadata> {
  if (!ctx) return {};
  try {
    return { title: title(await read(ctx)) ?? "Not found" };
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") return { title: "Not found" };
    throw error;
  }
}

export type QueryRecord = Record<string, string | string[] | undefined>;

/**
 * A query string's parameters as the record the filter schemas parse. Its keys come from the
 * address bar: a parameter named __proto__, constructor or prototype is refused (VALIDATION naming
 * it) before any object is built from the keys, as every other door refuses them.
 */
export function queryRecord(params: URLSearchParams | QueryRecord): QueryRecord {
  const entries: [string, string | string[] | undefined][] =
    params instanceof URLSearchParams ? [...new Set(params.keys())].map((key) => [key, params.getAll(key).length > 1 ? params.getAll(key) : (params.get(key) ?? undefined)]) : Object.entries(params);
  // By segment, as form field names are read: `__proto__[x]` is refused as `__proto__` is.
  const reserved = entries.map(([key]) => key).filter((key) => key.split(/[.[\]]/).some(isForbiddenKey));
  if (reserved.length) {
    const message = `The query parameter ${reserved.map((k) => `"${k}"`).join(", ")} ${forbiddenKeyMessage}.`;
    throw new AppError("VALIDATION", message, { fieldErrors: Object.fromEntries(reserved.map((k) => [k, [message]])) });
  }
  // Object.fromEntries defines own properties: no key reaches a prototype.
  return Object.fromEntries(entries);
}

/**
 * A page's searchParams through queryRecord. A page cannot answer 422, and no link of Mosaic
 * carries a reserved name: such an address is one Mosaic does not have, so it is the page's 404.
 */
export async function pageQuery(searchParams: Promise<QueryRecord>): Promise<QueryRecord> {
  try {
    return queryRecord(await searchParams);
  } catch (error) {
    if (error instanceof AppError && error.code === "VALIDATION") notFound();
    throw error;
  }
}
