import { toCsv } from "@/lib/csv";
import { deviceFilter, filterDevices } from "@/lib/devices/filter";
import { listDevices } from "@/lib/devices/queries";
import { portalRoute } from "@/lib/portal-route";

export const dynamic = "force-dynamic";

/** The filtered devices of one trust as CSV (every page); "not found" outside the caller's reach. */
export async function GET(request: Request, { params }: { params: Promise<{ ods: string }> }): Promise<Response> {
  const { ods } = await params;
  return portalRoute(async (ctx, query) => {
    const { trust, devices } = await listDevices(ctx, ods);
    const rows = filterDevices(devices, deviceFilter.parse(query));
    const csv = toCsv(
      ["ae_title", "kind", "modality", "site_code", "site", "department", "host", "description", "status", "retired_at"],
      rows.map((d) => [d.aeTitle, d.kind, d.modality ?? "", d.siteCode, d.siteName, d.departmentName ?? "", d.host ?? "", d.description, d.status, d.retiredAt?.toISOString() ?? ""]),
    );
    return new Response(csv, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="mosaic-devices-${trust.odsCode}-${new Date().toISOString().slice(0, 10)}.csv"`,
        "Cache-Control": "no-store",
      },
    });
  })(request);
}
