import "server-only";
import type { Ctx } from "@/lib/auth/context";
import { addDays, londonToday } from "@/lib/calendar";
import { getStorage, getThroughput } from "./queries";
import { boardSummaryOf, type BoardSummary } from "./summary-view";

/**
 * The CIO's one-page capacity summary for a board: the consortium's run rate against the contract,
 * growth on last year and each trust's storage runway, over the last year. Scoped as the throughput
 * and storage pages are (capacity.read; NOT_FOUND without it): a trust's CIO sees their trust's
 * storage and the consortium's totals, never another trust's own figures.
 */
export async function getBoardSummary(ctx: Ctx, today = londonToday()): Promise<BoardSummary & { scopeLabel: string }> {
  const filter = { from: addDays(today, -364), to: today };
  const throughput = await getThroughput(ctx, filter, today);
  const storage = await getStorage(ctx, filter, today);
  const rr = throughput.runRate;
  return {
    scopeLabel: storage.scopeLabel,
    ...boardSummaryOf({
      runRate: { asOf: rr.asOf, contracted: rr.contracted, ...rr.consortium },
      year: throughput.yearOverYear.year,
      months: throughput.yearOverYear.months,
      usage: storage.usage,
      today,
    }),
  };
}
