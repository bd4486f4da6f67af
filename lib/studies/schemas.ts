import { z } from "zod";
import { isStorableText } from "@/lib/text-input";

/** What the study look-up searches by: the accession number a clinician quotes, or the study's UID. */
const lookupKinds = ["accession", "study"] as const;

const blankToUndefined = (v: unknown) => (typeof v === "string" ? v.trim() || undefined : v);

/**
 * The study look-up's query, from the address bar. `q` is checked against the kind chosen: a Study
 * Instance UID is numbers separated by dots (PS3.5 9.1), at most 64 characters; an accession
 * number (DICOM SH) at most 16 characters as DICOM has it, 64 as the exams API accepts it.
 */
export const studyLookup = z
  .object({
    by: z.enum(lookupKinds, { error: "Choose accession number or Study Instance UID." }).default("accession"),
    q: z.preprocess(
      blankToUndefined,
      z
        .string({ error: "Enter an accession number or a Study Instance UID." })
        .max(64, "An accession number or Study Instance UID has at most 64 characters.")
        .refine(isStorableText, "Enter an accession number or a Study Instance UID."),
    ),
  })
  .superRefine((v, ctx) => {
    if (v.by === "study" && !/^(0|[1-9]\d*)(\.(0|[1-9]\d*))+$/.test(v.q)) {
      ctx.addIssue({ code: "custom", path: ["q"], message: "A Study Instance UID is numbers separated by dots, for example 1.2.826.0.1.3680043.2.1." });
    }
  });
export type StudyLookup = z.output<typeof studyLookup>;
