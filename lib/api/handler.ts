import "server-only";
import type { z } from "zod";
import type { ApiScope } from "@/lib/api-clients/schemas";
import { AppError, httpStatusOf } from "@/lib/errors";
import { nulMessage, nulPaths } from "@/lib/text-input";
import { authenticateApiKey, type ApiCaller } from "./auth";

export type ApiIssue = { path: string; item?: number; field: string; message: string };

const maxBodyBytes = 20 * 1024 * 1024;

function errorResponse(status: number, code: string, message: string, details?: unknown): Response {
  return Response.json({ error: { code, message, details: details ?? null } }, { status, headers: { "Cache-Control": "no-store" } });
}

/**
 * Zod issues as the API reports them: the dotted path, and for batches the item's index and the
 * field within it ("events.3.patient.nhsNumber" → item 3, field "patient.nhsNumber").
 */
export function apiIssues(error: z.ZodError, batchKey?: string): ApiIssue[] {
  return error.issues.map((issue) => issueAt(issue.path.map(String), issue.message, batchKey));
}

/** Reads a JSON body (of any JSON media type, such as application/fhir+json), within the size limit. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > maxBodyBytes) throw new AppError("VALIDATION", `The body is larger than ${maxBodyBytes / 1024 / 1024} MB; send smaller batches.`);
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new AppError("VALIDATION", "The body is not valid JSON.", { issues: [{ path: "", field: "(body)", message: "not valid JSON" }] });
  }
  const nul = nulPaths(body);
  if (nul.length) throw invalidRequest(nul.map((p) => issueAt(p.map(String), nulMessage, String(p[0]))));
  return body;
}

/** An issue at a path; under a batch (a list at the top: `events.3.…`) it names the item and the field within it. */
function issueAt(path: string[], message: string, batchKey: string | undefined): ApiIssue {
  const isItem = batchKey !== undefined && path[0] === batchKey && path.length > 1 && /^\d+$/.test(path[1] ?? "");
  return {
    path: path.join("."),
    ...(isItem ? { item: Number(path[1]) } : {}),
    field: (isItem ? path.slice(2) : path).join(".") || "(body)",
    message,
  };
}

/** The 4xx for a body with these problems; the message names the first item and field. */
export function invalidRequest(issues: ApiIssue[]): AppError {
  const first = issues[0];
  const where = first ? (first.item !== undefined ? `item ${first.item}, field ${first.field}` : `field ${first.field}`) : "the body";
  return new AppError("VALIDATION", `Invalid request: ${where}: ${first?.message ?? "invalid"}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""}.`, { issues });
}

/** Reads a JSON body and parses it with `schema`; a bad body is a 4xx that names every bad item and field. */
export async function readJson<S extends z.ZodType>(request: Request, schema: S, batchKey?: string): Promise<z.output<S>> {
  const parsed = schema.safeParse(await readJsonBody(request));
  if (!parsed.success) throw invalidRequest(apiIssues(parsed.error, batchKey));
  return parsed.data;
}

/**
 * A machine-API route: checks the key and its scope, runs the handler, and maps every AppError to
 * its 4xx with `{ error: { code, message, details } }`. Anything else is a bug: logged with a
 * reference and answered 500.
 */
export function apiRoute(scope: ApiScope | null, handler: (caller: ApiCaller, request: Request) => Promise<Response>) {
  return async (request: Request): Promise<Response> => {
    try {
      const caller = await authenticateApiKey(request.headers.get("authorization"), scope);
      return await handler(caller, request);
    } catch (error) {
      if (error instanceof AppError) {
        const { fieldErrors: _f, ...details } = error.details ?? {};
        return errorResponse(httpStatusOf[error.code], error.code, error.message, Object.keys(details).length ? details : undefined);
      }
      const ref = request.headers.get("x-request-id") ?? crypto.randomUUID();
      console.error(`[mosaic] API error ${ref}`, error);
      return errorResponse(500, "INTERNAL", `Unexpected error (reference ${ref}). Nothing was stored.`, { requestId: ref });
    }
  };
}
