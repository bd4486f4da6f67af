import { z } from "zod";
import { isStorableText } from "@/lib/text-input";
import type { PolicyListItem } from "./queries";

/** The policies list's filters, from the address bar. Unknown values are ignored, not errors. */
export const policyFilter = z.object({
  q: z.string().trim().max(100).refine(isStorableText).catch("").default(""),
  source: z.string().trim().toUpperCase().regex(/^[A-Z0-9]{3,5}$/).optional().catch(undefined),
  target: z.string().trim().toUpperCase().regex(/^[A-Z0-9]{3,5}$/).optional().catch(undefined),
  status: z.enum(["active", "pending_approval", "draft", "revoked", "superseded"]).optional().catch(undefined),
});
export type PolicyFilter = z.infer<typeof policyFilter>;

export function filterPolicies(list: PolicyListItem[], f: PolicyFilter): PolicyListItem[] {
  const q = f.q.toLowerCase();
  return list.filter(
    (p) =>
      (!q || p.name.toLowerCase().includes(q)) &&
      (!f.source || p.sourceTrust.odsCode === f.source) &&
      (!f.target || (p.current?.status === "active" && p.current.targets.includes(f.target))) &&
      (!f.status || p.current?.status === f.status || p.open?.status === f.status),
  );
}

/** The matrix's date, from the address bar. */
export const matrixFilter = z.object({
  at: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)))
    .optional()
    .catch(undefined),
});
