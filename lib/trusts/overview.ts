import "server-only";
import { inArray, sql } from "drizzle-orm";
import { consortium, departments } from "@/db/schema";
import type { Ctx } from "@/lib/auth/context";
import { withTenant } from "@/lib/db/scope";
import { listTrusts } from "./queries";

/** The consortium's headline figures and the caller's trusts with what they run. */
export async function getOverview(ctx: Ctx) {
  const trustList = await listTrusts(ctx);
  return withTenant(ctx, async (tx) => {
    const [c] = await tx.select({ name: consortium.name, contractedAnnualExams: consortium.contractedAnnualExams }).from(consortium).limit(1);
    const ids = trustList.map((t) => t.id);
    const mods = ids.length
      ? await tx
          .select({ trustId: departments.trustId, modalities: sql<string[]>`array_agg(distinct m order by m)` })
          .from(sql`${departments}, unnest(${departments.modalities}) as m`)
          .where(inArray(departments.trustId, ids))
          .groupBy(departments.trustId)
      : [];
    const byTrust = new Map<string, string[]>(mods.map((m) => [m.trustId, m.modalities]));
    return {
      consortiumName: c?.name ?? "Consortium",
      contractedAnnualExams: c?.contractedAnnualExams ?? 0,
      trusts: trustList.map((t) => ({ ...t, modalities: byTrust.get(t.id) ?? [] })),
    };
  });
}
