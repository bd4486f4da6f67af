import { getRequestContext } from "@/lib/auth/request";
import { auditCsvStream } from "@/lib/audit/export";
import { auditFilter } from "@/lib/audit/search-filter";
import { AppError, httpStatusOf } from "@/lib/errors";

export const dynamic = "force-dynamic";

/** The filtered audit trail as a streamed CSV download. */
export async function GET(request: Request) {
  const ctx = await getRequestContext();
  if (!ctx) return new Response("Sign in first.", { status: 401 });
  const parsed = auditFilter.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return new Response("Check the filters.", { status: 422 });
  try {
    const body = await auditCsvStream(ctx, { ...parsed.data, cursor: undefined });
    const name = parsed.data.patient ? `mosaic-access-report-${parsed.data.patient}` : "mosaic-audit";
    return new Response(body, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${name}-${new Date().toISOString().slice(0, 10)}.csv"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    if (error instanceof AppError) return new Response(error.code === "NOT_FOUND" ? "Not found." : error.message, { status: httpStatusOf[error.code] });
    throw error;
  }
}
