import { z } from "zod";
import { deviceKinds, modalities } from "@/lib/vocabulary";

/**
 * A DICOM Application Entity title (PS3.5 6.2, VR "AE"): 1 to 16 characters of the default
 * repertoire (ISO 646 G0: printable ASCII and space) without the backslash, which DICOM reserves
 * as its value separator. Leading and trailing spaces are not significant and are not stored;
 * case is significant, as it is to the archive that matches it.
 */
export const aeTitle = z
  .string({ error: "Enter the AE title." })
  .overwrite((s) => s.replace(/^ +| +$/g, ""))
  .min(1, "Enter the AE title.")
  .max(16, "An AE title has at most 16 characters.")
  .refine((s) => !s.includes("\\"), "An AE title cannot contain a backslash (\\).")
  .refine((s) => /^[ -~]*$/.test(s), "An AE title uses only letters, digits, spaces and printable ASCII symbols (no control characters or accents).");

const hostname = z.hostname();
const ipv4 = z.ipv4();
const ipv6 = z.ipv6();

/** A device's host: a DNS name or an IPv4 or IPv6 address; empty is none. Stored lower-case. */
const host = z
  .string({ error: "Enter a host name or IP address." })
  .trim()
  .toLowerCase()
  .max(253, "A host name has at most 253 characters.")
  .refine((s) => s === "" || ipv4.safeParse(s).success || ipv6.safeParse(s).success || hostname.safeParse(s).success, "Enter a host name (ct1.example.nhs.uk) or an IP address (10.20.30.40).")
  .transform((s) => s || null);

const optionalId = (message: string) =>
  z
    .union([z.literal(""), z.uuid({ error: message })], { error: message })
    .optional()
    .transform((s) => s || null);

/** A device as the form and the API send it. The modality is required of a modality (scanner). */
export const deviceInput = z
  .object({
    aeTitle,
    siteId: z.uuid({ error: "Choose the site." }),
    departmentId: optionalId("Choose one of the site's departments, or none."),
    kind: z.enum(deviceKinds, { error: "Choose what kind of device this is." }),
    modality: z
      .union([z.literal(""), z.enum(modalities)], { error: `The modality is one of ${modalities.join(", ")}.` })
      .optional()
      .transform((m) => m || null),
    host: host.optional().transform((h) => h ?? null),
    description: z.string({ error: "Describe the device." }).trim().max(500, "The description can be at most 500 characters.").default(""),
  })
  .superRefine((d, ctx) => {
    if (d.kind === "modality" && !d.modality) ctx.addIssue({ code: "custom", path: ["modality"], message: "Choose the modality of the scanner." });
  });
export type DeviceInput = z.output<typeof deviceInput>;
