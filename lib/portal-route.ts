import "server-only";
import type { Ctx } from "./auth/context";
import { getRequestContext } from "./identity/request";
import { AppError } from "./errors";
import { failureOf } from "./log";
import { queryRecord, type QueryRecord } from "./pages";

type PortalHandler = (ctx: Ctx, query: QueryRecord) => Promise<Response>;

/**
 * The one door of the portal's route handlers (CSV and JSON downloads): the signed-in caller, the
 * query string through queryRecord, then the handler, which asks its permission through lib/
 * before it writes a byte. Errors go through the one door (lib/log.ts): an AppError becomes its
 * status (NOT_FOUND says no more than a missing page does); anything else is logged with the
 * request id and answered 500 with that reference.
 */
export function portalRoute(handler: PortalHandler) {
  return async (request: Request): Promise<Response> => {
    try {
      const ctx = await getRequestContext();
      if (!ctx) throw new AppError("UNAUTHENTICATED", "Sign in first.");
      return await handler(ctx, queryRecord(new URL(request.url).searchParams));
    } catch (error) {
      const failure = failureOf(error, "portal-route", request.headers.get("x-request-id"), { path: new URL(request.url).pathname });
      return new Response(failure.code === "NOT_FOUND" ? "Not found." : failure.message, { status: failure.status, headers: { "Cache-Control": "no-store" } });
    }
  };
}
