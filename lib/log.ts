import "server-only";
import pino, { type DestinationStream, type Logger } from "pino";
import { AppError, httpStatusOf, type ErrorCode, type FieldErrors } from "./errors";

// Structured logs, one JSON line per event on stdout. An unexpected error is logged once, here, by
// the one error door below, with the reference the person was shown; the error's own text never
// reaches them. Secrets that could ride on an error's request are redacted.
const options: pino.LoggerOptions = {
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "warn" : "info"),
  base: { service: "mosaic" },
  redact: { paths: ["headers.authorization", "headers.cookie", "*.password", "*.token", "*.key"], censor: "[redacted]" },
};

let logger: Logger = pino(options);

/** Sends the log to `stream` (tests read the lines a door writes). */
export function logTo(stream: DestinationStream): void {
  logger = pino(options, stream);
}

/** The kinds of door a request comes through. */
export type Door = "action" | "api" | "portal-route" | "page";

/** What a door answers for an error: its status, code and message, and for a bug the reference shown. */
export type Failure = {
  status: number;
  code: ErrorCode | "INTERNAL";
  message: string;
  fieldErrors?: FieldErrors;
  /** An AppError's details other than its field errors (what a machine client reads). */
  details?: Record<string, unknown>;
  /** The reference the person sees for an unexpected error, and the log line carries. */
  reference?: string;
};

/**
 * The one error door: maps anything thrown to what the door answers. An AppError is the caller's
 * to read (its code, status and message); anything else is a bug, logged once with the request id
 * as its reference and answered with that reference only.
 */
export function failureOf(error: unknown, door: Door, requestId: string | null | undefined, context: Record<string, unknown> = {}): Failure {
  if (error instanceof AppError) {
    const { fieldErrors, ...rest } = error.details ?? {};
    return {
      status: httpStatusOf[error.code],
      code: error.code,
      message: error.message,
      ...(fieldErrors ? { fieldErrors } : {}),
      ...(Object.keys(rest).length ? { details: rest } : {}),
    };
  }
  const reference = requestId || crypto.randomUUID();
  logger.error({ err: error, reference, door, ...context }, "unexpected error");
  return { status: 500, code: "INTERNAL", message: `Something went wrong (reference ${reference}). Nothing was saved.`, reference };
}

/** The request id proxy.ts gave the request being served, if any (none in scripts and tests). */
export async function currentRequestId(): Promise<string | null> {
  try {
    const { headers } = await import("next/headers");
    return (await headers()).get("x-request-id");
  } catch {
    return null;
  }
}

/** What Next.js tells onRequestError about the request whose rendering failed. */
export type RenderedRequest = { path: string; method: string; headers: Record<string, string | string[] | undefined> };

/**
 * The page door (instrumentation.ts onRequestError): an error that reached a page's error boundary
 * is logged once, with the reference the boundary shows (Next.js's digest of the error) and the
 * request id beside it. Route handlers and actions answer their errors themselves and never get here.
 */
export function logRenderError(error: unknown, request: RenderedRequest, context: { routePath?: string; routeType?: string } = {}): void {
  const digest = typeof (error as { digest?: unknown })?.digest === "string" ? (error as { digest: string }).digest : null;
  const header = request.headers["x-request-id"];
  const requestId = (Array.isArray(header) ? header[0] : header) ?? null;
  const where = { path: request.path, method: request.method, route: context.routePath, routeType: context.routeType, requestId };
  if (error instanceof AppError) {
    // A page should turn its refusals into a not-found or a message; one that escaped is worth a look.
    logger.warn({ reference: digest ?? requestId, door: "page", code: error.code, ...where }, "refusal reached an error boundary");
    return;
  }
  logger.error({ err: error, reference: digest ?? requestId ?? crypto.randomUUID(), door: "page", ...where }, "unexpected error");
}
