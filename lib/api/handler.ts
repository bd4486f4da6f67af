import "server-only";
import type { z } from "zod";
import type { ApiScope } from "@/lib/api-clients/schemas";
import { clientInfoFrom } from "@/lib/identity/client-info";
import { AppError } from "@/lib/errors";
import { failureOf } from "@/lib/log";
import { textProblems } from "@/lib/text-input";
import { apiIssues, invalidRequest, issueAt, type IssueAt } from "@/lib/api-issues";
import type { ApiCaller } from "@/lib/api-caller";
import { authenticateApiKey } from "./auth";
import { maxBodyBytes, maxJsonDepth } from "@/lib/limits";

export const jsonContentType = "application/json";

function errorResponse(status: number, code: string, message: string, details?: Record<string, unknown>): Response {
  // A refusal that says when to come back (429, 503) says it in the header clients read too.
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if (typeof details?.retryAfterSeconds === "number") headers["Retry-After"] = String(details.retryAfterSeconds);
  return Response.json({ error: { code, message, details: details ?? null } }, { status, headers });
}

/** The media type of a request, lower case and without parameters ("" when there is none). */
export function mediaTypeOf(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

/** 415 unless the body is one of these media types, in UTF-8 (a charset parameter, if any, says so). */
function assertMediaType(request: Request, accepted: readonly string[]): void {
  const header = request.headers.get("content-type") ?? "";
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(header)?.[1]?.toLowerCase();
  if (!accepted.includes(mediaTypeOf(request)) || (charset !== undefined && charset !== "utf-8" && charset !== "utf8")) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", `Send the body as ${accepted.join(" or ")} (UTF-8), with that Content-Type.`, {
      issues: [{ path: "", field: "(Content-Type)", message: `must be ${accepted.join(" or ")}${header ? `, not ${header.slice(0, 100)}` : ""}` }],
    });
  }
}

const tooLarge = () =>
  new AppError("PAYLOAD_TOO_LARGE", `The body is larger than the limit of ${maxBodyBytes} bytes (${maxBodyBytes / 1024 / 1024} MiB); send smaller batches.`, {
    issues: [{ path: "", field: "(body)", message: `must be at most ${maxBodyBytes} bytes` }],
    limit: maxBodyBytes,
  });

const unreadable = (message: string) => new AppError("VALIDATION", `The body is ${message}.`, { issues: [{ path: "", field: "(body)", message }] });

/**
 * The body as text, read as it streams in and refused (413) as soon as it passes the limit: the
 * Content-Length is checked first, but a chunked body has none, and a header may say less than
 * what follows. Invalid UTF-8 is refused rather than replaced.
 */
async function readBodyText(request: Request): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\s*\d+\s*$/.test(declared) && Number(declared) > maxBodyBytes) throw tooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const parts: string[] = [];
  let bytes = 0;
  const refuse = async (error: AppError): Promise<never> => {
    await reader.cancel().catch(() => {});
    throw error;
  };
  for (;;) {
    const chunk = await reader.read().catch(() => null);
    if (chunk === null) return refuse(unreadable("not readable to its end (the connection broke off)"));
    if (chunk.done) break;
    bytes += chunk.value.byteLength;
    if (bytes > maxBodyBytes) return refuse(tooLarge());
    try {
      parts.push(decoder.decode(chunk.value, { stream: true }));
    } catch {
      return refuse(unreadable("not valid UTF-8 text"));
    }
  }
  try {
    parts.push(decoder.decode());
  } catch {
    throw unreadable("not valid UTF-8 text");
  }
  return parts.join("");
}

/**
 * Reads a JSON body, within the limits of lib/limits.ts: 415 for another media type (the route
 * says which it takes: application/json by default), 413 beyond the size limit, and a 4xx naming
 * each place that is not JSON Mosaic can take as it is (lib/text-input.ts: NUL, lone surrogates,
 * forbidden member names, nesting too deep). JSON.parse itself takes any depth (V8's parser keeps
 * its own stack: 100,000 deep parses); what would overflow is a recursive walk after it, so the
 * scan is iterative and the depth is bounded there.
 */
export async function readJsonBody(request: Request, options: { mediaTypes?: readonly string[]; issueAt?: IssueAt } = {}): Promise<unknown> {
  assertMediaType(request, options.mediaTypes ?? [jsonContentType]);
  const text = await readBodyText(request);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw unreadable("not valid JSON");
  }
  const refused = textProblems(body, { maxDepth: maxJsonDepth });
  if (refused.length) {
    const at = options.issueAt ?? ((path: string[], message: string) => issueAt(path, message, undefined));
    throw invalidRequest(refused.map((p) => at(p.path.map(String), p.message)));
  }
  return body;
}

/**
 * Reads a JSON body and parses it with `schema`; a bad body is a 4xx that names every bad item and
 * field (the item's index in the list `batchKey`, when the body is a batch).
 */
export async function readJson<S extends z.ZodType>(request: Request, schema: S, batchKey?: string, mediaTypes?: readonly string[]): Promise<z.output<S>> {
  const parsed = schema.safeParse(await readJsonBody(request, { mediaTypes, issueAt: (path, message) => issueAt(path, message, batchKey) }));
  if (!parsed.success) throw invalidRequest(apiIssues(parsed.error, batchKey));
  return parsed.data;
}

/**
 * A machine-API route: checks the key and its scope, runs the handler, and answers any error
 * through the one door (lib/log.ts): an AppError is its 4xx with `{ error: { code, message,
 * details } }`; anything else is a bug, logged with the request id and answered 500 with it.
 * `cachedKey`: see authenticateApiKey (only for a handler that confirms the key).
 */
export function apiRoute(scope: ApiScope | null, handler: (caller: ApiCaller, request: Request) => Promise<Response>, options: { cachedKey?: boolean } = {}) {
  return async (request: Request): Promise<Response> => {
    try {
      const caller = await authenticateApiKey(request.headers.get("authorization"), scope, clientInfoFrom(request.headers), { cached: options.cachedKey });
      return await handler(caller, request);
    } catch (error) {
      const failure = failureOf(error, "api", request.headers.get("x-request-id"), { path: new URL(request.url).pathname });
      return errorResponse(failure.status, failure.code, failure.message, failure.reference ? { requestId: failure.reference } : failure.details);
    }
  };
}
