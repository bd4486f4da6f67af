import { exportCheckpointsFor } from "@/lib/audit/verify-runs";
import { portalRoute } from "@/lib/portal-route";

export const dynamic = "force-dynamic";

/** The signed checkpoints of the caller's chains, with the public key, for an outside auditor. */
export const GET = portalRoute(async (ctx) => {
  const body = await exportCheckpointsFor(ctx);
  return new Response(JSON.stringify(body, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="mosaic-audit-checkpoints-${new Date().toISOString().slice(0, 10)}.json"`,
      "Cache-Control": "no-store",
    },
  });
});
