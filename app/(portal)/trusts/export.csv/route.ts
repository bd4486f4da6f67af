import { toCsv } from "@/lib/csv";
import { portalRoute } from "@/lib/portal-route";
import { filterTrusts, trustFilter } from "@/lib/trusts/filter";
import { listTrusts } from "@/lib/trusts/queries";

export const dynamic = "force-dynamic";

/** The filtered trusts list as CSV. */
export const GET = portalRoute(async (ctx, query) => {
  const filter = trustFilter.parse(query);
  const rows = filterTrusts(await listTrusts(ctx), filter);
  const csv = toCsv(
    ["ods_code", "name", "status", "sites", "departments"],
    rows.map((t) => [t.odsCode, t.name, t.status, t.siteCount, t.departmentCount]),
  );
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="mosaic-trusts-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});
