import { z } from "zod";
import { apiScopes } from "@/db/schema/api-clients";

export type ApiScope = (typeof apiScopes)[number];

export const apiClientInput = z.object({
  name: z.string({ error: "Enter a name." }).trim().min(3, "The name needs at least 3 characters.").max(100, "The name can be at most 100 characters."),
  // "consortium", or the ODS code of the trust the client belongs to.
  owner: z.string({ error: "Choose who the client belongs to." }).trim().min(1, "Choose who the client belongs to."),
  scopes: z
    .array(z.enum(apiScopes, { error: "Choose scopes from the list." }), { error: "Choose at least one scope." })
    .min(1, "Choose at least one scope.")
    .transform((s) => [...new Set(s)].sort()),
});

export const rotateInput = z.object({
  // How long the old key keeps working, so the PACS can switch without downtime.
  graceHours: z.coerce.number({ error: "Choose how long the old key keeps working." }).int().refine((h) => [0, 24, 168].includes(h), "Choose now, 24 hours or 7 days."),
});

export const revokeInput = z.object({
  reason: z.string({ error: "Give a reason." }).trim().min(3, "Give a reason of at least 3 characters.").max(500, "The reason can be at most 500 characters."),
});

/** What GET /api/v1/me answers: the calling client as Mosaic knows it (lib/api-clients/describe.ts). */
export const meResponse = z.object({
  client: z.object({ id: z.uuid(), name: z.string(), trust: z.string().nullable().describe("ODS code; null for a consortium client"), scopes: z.array(z.enum(apiScopes)) }),
});
