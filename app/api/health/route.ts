import { checkHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const health = await checkHealth();
  return Response.json(
    { status: health.ok ? "ok" : "unavailable", database: health.database },
    { status: health.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
