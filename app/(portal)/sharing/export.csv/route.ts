import { londonDayOf } from "@/lib/calendar";
import { toCsv } from "@/lib/csv";
import { portalRoute } from "@/lib/portal-route";
import { filterPolicies, policyFilter } from "@/lib/sharing/filter";
import { listPolicies } from "@/lib/sharing/queries";

export const dynamic = "force-dynamic";

/** The filtered policies list as CSV. */
export const GET = portalRoute(async (ctx, query) => {
  const filter = policyFilter.parse(query);
  const list = await listPolicies(ctx);
  const day = (d: Date | null | undefined) => (d ? londonDayOf(d) : "");
  const csv = toCsv(
    ["policy_id", "name", "source_trust", "current_version", "current_status", "targets", "effective_from", "effective_until", "open_version", "open_status"],
    filterPolicies(list, filter).map((p) => [p.id, p.name, p.sourceTrust.odsCode, p.current?.version, p.current?.status, p.current?.targets.join(" "), day(p.current?.effectiveFrom), day(p.current?.effectiveUntil), p.open?.version, p.open?.status]),
  );
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="mosaic-sharing-policies-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});
