import "server-only";
import { inArray } from "drizzle-orm";
import { consortium, departments } from "@/db/schema";
import type { Ctx } from "@/lib/auth/context";
import { withTenant } from "@/lib/db/scope";
import { listTrustsIn } from "./queries";

/** The consortium's headline figures and the caller's trusts with what they run. */
export async function getOverview(ctx: Ctx) {
  // One transaction, the trusts and the consortium's row asked for at once (pipelined).
  return withTenant(ctx, async (tx) => {
    const [trustList, [c]] = await Promise.all([
      listTrustsIn(tx, ctx),
      tx.select({ name: consortium.name, contractedAnnualExams: consortium.contractedAnnualExams }).from(consortium).limit(1),
    ]);
    const ids = trustList.map((t) => t.id);
    const rows = ids.length
      ? await tx.select({ trustId: departments.trustId, modalities: departments.modalities }).from(departments).where(inArray(departments.trustId, ids))
      : [];
    const byTrust = new Map<string, Set<string>>();
    for (const row of rows) {
      const set = byTrust.get(row.trustId) ?? new Set<string>();
      for (const m of row.modalities) set.add(m);
      byTrust.set(row.trustId, set);
    }
    return {
      consortiumName: c?.name ?? "Consortium",
      contractedAnnualExams: c?.contractedAnnualExams ?? 0,
      trusts: trustList.map((t) => ({ ...t, modalities: [...(byTrust.get(t.id) ?? [])].sort() })),
    };
  });
}
