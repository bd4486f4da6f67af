import { toCsv } from "@/lib/csv";
import { lastLondonDayOf } from "@/lib/calendar";
import { portalRoute } from "@/lib/portal-route";
import { exportUsers } from "@/lib/users/queries";
import { userFilter } from "@/lib/users/schemas";

export const dynamic = "force-dynamic";

/** The filtered users list as CSV: one line per person, their roles in force in one cell. */
export const GET = portalRoute(async (ctx, query) => {
  const filter = userFilter.parse(query);
  const rows = await exportUsers(ctx, filter);
  const csv = toCsv(
    ["name", "email", "home_trust", "status", "roles_in_force", "last_sign_in"],
    rows.map((u) => [
      u.name,
      u.email,
      u.homeTrust ?? "",
      u.status,
      u.roles.map((r) => `${r.role}@${r.trust ?? "consortium"}${r.validUntil ? ` until ${lastLondonDayOf(r.validUntil)}` : ""}`).join("; "),
      u.lastSignInAt,
    ]),
  );
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="mosaic-users-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});
