import { z } from "zod";
import { trustStatuses } from "@/lib/vocabulary";
import type { TrustSummary } from "./queries";

/** The trusts list's filters, from the address bar. Unknown values are ignored, not errors. */
export const trustFilter = z.object({
  q: z.string().trim().max(100).catch("").default(""),
  status: z.enum(trustStatuses).optional().catch(undefined),
});
export type TrustFilter = z.infer<typeof trustFilter>;

export function filterTrusts(list: TrustSummary[], filter: TrustFilter): TrustSummary[] {
  const q = filter.q.toLowerCase();
  return list.filter(
    (t) => (!filter.status || t.status === filter.status) && (!q || t.name.toLowerCase().includes(q) || t.odsCode.toLowerCase().includes(q)),
  );
}
