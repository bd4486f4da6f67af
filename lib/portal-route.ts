import "server-only";
import type { Ctx } from "./auth/context";
import { getRequestContext } from "./identity/request";
import { AppError, httpStatusOf } from "./errors";
import { queryRecord, type QueryRecord } from "./pages";

type PortalHandler = (ctx: Ctx, query: QueryRecord) => Promise<Response>;

/**
 * The one door of the portal's route handlers (CSV and JSON downloads): the signed-in caller, the
 * query string through queryRecord, then the handler, which asks its permission through lib/
 * before it writes a byte. An AppError becomes its status (NOT_FOUND says no more than a missing
 * page does); anything else is logged with the request id and answered 500 with that reference.
 */
export function portalRoute(handler: PortalHandler) {
  return async (request: Request): Promise<Response> => {
    const reference = request.headers.get("x-request-id") ?? crypto.randomUUID();
    try {
      const ctx = await getRequestContext();
      if (!ctx) throw new AppError("UNAUTHENTICATED", "Sign in first.");
      return await handler(ctx, queryRecord(new URL(request.url).searchParams));
    } catch (error) {
      if (error instanceof AppError) {
        return new Response(error.code === "NOT_FOUND" ? "Not found." : error.message, { status: httpStatusOf[error.code], headers: { "Cache-Control": "no-store" } });
      }
      console.error(`[mosaic] unexpected error ${reference}`, error);
      return new Response(`Something went wrong (reference ${reference}).`, { status: 500, headers: { "Cache-Control": "no-store" } });
    }
  };
}
