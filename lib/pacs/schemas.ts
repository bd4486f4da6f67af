// What a person sends about the archive's studies: the unattributed list's filter and a study
// attributed by hand. Shared by the page, the CSV export and the mutation. Pure: zod only.
import { z } from "zod";
import { aeTitle } from "@/lib/devices/schemas";
import { modalities } from "@/lib/vocabulary";

const blankAsUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** The unattributed list's filter (URL query): calling AE title, modality, a UID or accession. */
export const unattributedFilter = z.object({
  ae: z.preprocess(blankAsUndefined, aeTitle.optional()),
  modality: z.preprocess(blankAsUndefined, z.enum(modalities, { error: `The modality is one of ${modalities.join(", ")}.` }).optional()),
  q: z.preprocess(blankAsUndefined, z.string().trim().max(64, "A Study Instance UID or accession number has at most 64 characters.").optional()),
});
export type UnattributedFilter = z.output<typeof unattributedFilter>;

/** A consortium administrator assigns a waiting study to a site (and so to the site's trust). */
export const attributeInput = z.object({
  archive: z.string({ error: "Say which archive holds the study." }).min(1, "Say which archive holds the study.").max(200),
  studyId: z.string({ error: "Say which study to attribute." }).min(1, "Say which study to attribute.").max(200),
  siteId: z.uuid({ error: "Choose the site that made the study." }),
});
