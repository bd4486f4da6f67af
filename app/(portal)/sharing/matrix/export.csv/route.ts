import { toCsv } from "@/lib/csv";
import { portalRoute } from "@/lib/portal-route";
import { matrixFilter } from "@/lib/sharing/filter";
import { sharingMatrix } from "@/lib/sharing/queries";

export const dynamic = "force-dynamic";

/** The sharing matrix as CSV: one row per (source, requester trust) pair with sharing. */
export const GET = portalRoute(async (ctx, query) => {
  const filter = matrixFilter.parse(query);
  const at = filter.at ? new Date(`${filter.at}T12:00:00Z`) : new Date();
  const matrix = await sharingMatrix(ctx, at);
  const rows = Object.entries(matrix.cells)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, cell]) => {
      const [source, target] = key.split("|");
      return [source, target, cell.purposes.join(" "), cell.breakGlass ? "yes" : "no", cell.hasDeny ? "yes" : "no", cell.policies.map((p) => `${p.name} v${p.version}`).join("; ")];
    });
  const csv = toCsv(["source_trust", "requester_trust", "purposes", "break_glass", "has_deny_rule", "policies"], rows);
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="mosaic-sharing-matrix-${at.toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});
