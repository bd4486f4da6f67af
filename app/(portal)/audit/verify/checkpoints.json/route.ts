import { exportCheckpointsFor } from "@/lib/audit/verify-runs";
import { getRequestContext } from "@/lib/auth/request";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

/** The signed checkpoints of the caller's chains, with the public key, for an outside auditor. */
export async function GET() {
  const ctx = await getRequestContext();
  if (!ctx) return new Response("Sign in first.", { status: 401 });
  try {
    const body = await exportCheckpointsFor(ctx);
    return new Response(JSON.stringify(body, null, 2), {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="mosaic-audit-checkpoints-${new Date().toISOString().slice(0, 10)}.json"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") return new Response("Not found.", { status: 404 });
    throw error;
  }
}
