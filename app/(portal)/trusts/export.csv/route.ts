import { getRequestContext } from "@/lib/auth/request";
import { toCsv } from "@/lib/csv";
import { filterTrusts, trustFilter } from "@/lib/trusts/filter";
import { listTrusts } from "@/lib/trusts/queries";

export const dynamic = "force-dynamic";

/** The filtered trusts list as CSV. */
export async function GET(request: Request) {
  const ctx = await getRequestContext();
  if (!ctx) return new Response("Sign in first.", { status: 401 });
  const filter = trustFilter.parse(Object.fromEntries(new URL(request.url).searchParams));
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
}
