import "server-only";
import { alertWorklist } from "@/lib/audit/alerts";
import { recentPatientReports } from "@/lib/audit/search";
import type { Ctx } from "@/lib/auth/context";
import { approvalQueue } from "@/lib/sharing/queries";

/**
 * An IG officer's home page as a work list: their open alerts (assigned to them, and not yet
 * taken), the sharing policy versions waiting for their approval (not ones they wrote: the
 * two-person rule), and the patient access reports they have been working on. Null for a caller
 * who works no alerts, whose home stays as it was. Each part is read through its own area, with
 * that area's permission and tenant scope.
 */
export async function getIgWorklist(ctx: Ctx) {
  const alerts = await alertWorklist(ctx);
  if (!alerts) return null;
  const [approvals, reports] = await Promise.all([approvalQueue(ctx), recentPatientReports(ctx)]);
  return { alerts, approvals: approvals.filter((v) => !v.isOwn), reports };
}
export type IgWorklist = NonNullable<Awaited<ReturnType<typeof getIgWorklist>>>;
