import { getRequestContext } from "@/lib/auth/request";
import { toCsv } from "@/lib/csv";
import { AppError } from "@/lib/errors";
import { filterPolicies, policyFilter } from "@/lib/sharing/filter";
import { listPolicies } from "@/lib/sharing/queries";

export const dynamic = "force-dynamic";

/** The filtered policies list as CSV. */
export async function GET(request: Request) {
  const ctx = await getRequestContext();
  if (!ctx) return new Response("Sign in first.", { status: 401 });
  const filter = policyFilter.parse(Object.fromEntries(new URL(request.url).searchParams));
  let list;
  try {
    list = await listPolicies(ctx);
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") return new Response("Not found.", { status: 404 });
    throw error;
  }
  const day = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 10) : "");
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
}
