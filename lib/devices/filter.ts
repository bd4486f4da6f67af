import { z } from "zod";
import { deviceKinds, modalities } from "@/lib/vocabulary";
import type { DeviceRow } from "./queries";

/** The devices list's filters, from the address bar. Unknown values are ignored, not errors. */
export const deviceFilter = z.object({
  q: z.string().trim().max(100).catch("").default(""),
  site: z.string().trim().max(10).catch("").default(""),
  kind: z.enum(deviceKinds).optional().catch(undefined),
  modality: z.enum(modalities).optional().catch(undefined),
  status: z.enum(["active", "retired"]).optional().catch(undefined),
});
export type DeviceFilter = z.infer<typeof deviceFilter>;

/** The devices that match the filters: q in the AE title, host or description; site by code. */
export function filterDevices(list: readonly DeviceRow[], filter: DeviceFilter): DeviceRow[] {
  const q = filter.q.toLowerCase();
  return list.filter(
    (d) =>
      (!filter.site || d.siteCode === filter.site.toUpperCase()) &&
      (!filter.kind || d.kind === filter.kind) &&
      (!filter.modality || d.modality === filter.modality) &&
      (!filter.status || d.status === filter.status) &&
      (!q || d.aeTitle.toLowerCase().includes(q) || (d.host ?? "").includes(q) || d.description.toLowerCase().includes(q)),
  );
}
