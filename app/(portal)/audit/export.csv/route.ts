import { auditCsvStream } from "@/lib/audit/export";
import { auditFilter } from "@/lib/audit/search-filter";
import { validationError } from "@/lib/errors";
import { portalRoute } from "@/lib/portal-route";

export const dynamic = "force-dynamic";

/** The filtered audit trail as a streamed CSV download. */
export const GET = portalRoute(async (ctx, query) => {
  // The first of a repeated parameter, as the search page reads them.
  const single = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const parsed = auditFilter.safeParse(single);
  if (!parsed.success) throw validationError(parsed.error, "Check the filters.");
  const body = await auditCsvStream(ctx, { ...parsed.data, cursor: undefined });
  const name = parsed.data.patient ? `mosaic-access-report-${parsed.data.patient}` : "mosaic-audit";
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});
