// Inputs of sharing, shared by the forms, the server actions and the machine API.
import { z } from "zod";
import { plausibleDate } from "@/lib/limits";
import { isIsoDay, londonDayStart } from "@/lib/calendar";
import { nhsNumberInput } from "@/lib/nhs-number";
import { purposes, restrictionReasons, ruleEffects, clinicalRoles, modalities } from "@/lib/vocabulary";

const odsCode = z
  .string({ error: "Enter an ODS code." })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{3,5}$/, "An ODS code is 3 to 5 letters and digits, for example RNZ.");

/** A checkbox group: at least one value from the list, duplicates dropped, sorted. */
const choices = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z
    .array(z.enum(values, { error: `Choose ${what} from the list.` }), { error: `Choose at least one of the ${what}.` })
    .min(1, `Choose at least one of the ${what}.`)
    .transform((list) => [...new Set(list)].sort() as T[number][]);

const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean());

/**
 * A date from a date input (YYYY-MM-DD): a London day, taken as the instant it starts (00:00 in
 * London, 23:00 UTC the evening before in summer), as lib/calendar.ts makes every day people enter.
 */
const dateOnly = (what: string) =>
  z
    .string({ error: `Enter the ${what}.` })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `Enter the ${what} as a date, for example 2026-04-01.`)
    .refine(isIsoDay, `Enter a real date for the ${what}.`)
    .transform((s) => londonDayStart(s));

const ruleInput = z
  .object({
    id: z.uuid({ error: "A rule lost its identifier; reload the page." }),
    effect: z.enum(ruleEffects, { error: "Choose permit or deny." }),
    targetTrusts: z
      .array(odsCode, { error: "Choose at least one target trust." })
      .min(1, "Choose at least one target trust.")
      .transform((list) => [...new Set(list)].sort()),
    requesterRoles: choices(clinicalRoles, "requester roles"),
    modalities: choices(modalities, "modalities"),
    purposes: choices(purposes, "purposes"),
    maxStudyAgeYears: z.preprocess(
      (v) => (v === "" || v === undefined ? null : v),
      z.coerce
        .number({ error: "Enter a whole number of years, or leave empty for any age." })
        .int("Enter a whole number of years.")
        .min(1, "The maximum study age is at least 1 year.")
        .max(100, "The maximum study age is at most 100 years.")
        .nullable(),
    ),
    requiresRelationship: checkbox,
    breakGlassAllowed: checkbox,
  })
  .superRefine((rule, ctx) => {
    if (rule.effect === "deny" && rule.breakGlassAllowed) {
      ctx.addIssue({ code: "custom", path: ["breakGlassAllowed"], message: "A deny rule cannot allow break-glass." });
    }
  });

/** A draft version: its window, the note for the reviewer, and its rules. */
export const draftInput = z
  .object({
    effectiveFrom: dateOnly("start date"),
    effectiveUntil: z.preprocess((v) => (v === "" || v === undefined ? null : v), dateOnly("end date").nullable()),
    changeNote: z.string().trim().max(2000, "The note can be at most 2,000 characters.").default(""),
    rules: z.array(ruleInput, { error: "Add at least one rule." }).min(1, "Add at least one rule.").max(50, "A version can have at most 50 rules."),
  })
  .superRefine((d, ctx) => {
    if (d.effectiveUntil && d.effectiveUntil <= d.effectiveFrom) {
      ctx.addIssue({ code: "custom", path: ["effectiveUntil"], message: "The end date must be after the start date." });
    }
    const ids = new Set<string>();
    d.rules.forEach((r, i) => {
      if (ids.has(r.id)) ctx.addIssue({ code: "custom", path: ["rules", i, "id"], message: "Two rules share an identifier; reload the page." });
      ids.add(r.id);
    });
  });
export type DraftInput = z.infer<typeof draftInput>;

const policyInput = z.object({
  sourceTrust: odsCode,
  name: z.string({ error: "Enter the policy name." }).trim().min(3, "The policy name needs at least 3 characters.").max(200, "The policy name can be at most 200 characters."),
  description: z.string().trim().max(2000, "The description can be at most 2,000 characters.").default(""),
});

export const newPolicyInput = z.object({ policy: policyInput, draft: draftInput });

export const reasonInput = (what: string) =>
  z.object({
    reason: z.string({ error: `Give the reason for ${what}.` }).trim().min(5, `Give the reason for ${what} (at least 5 characters).`).max(2000, "The reason can be at most 2,000 characters."),
  });

const nhsNumber = nhsNumberInput;

export const restrictionInput = z.object({
  sourceTrust: odsCode,
  nhsNumber,
  reason: z.enum(restrictionReasons, { error: "Choose objection, safeguarding or VIP." }),
  note: z.string().trim().max(2000, "The note can be at most 2,000 characters.").default(""),
});

/** The machine API's access-decision request (DESIGN.md "Machine API shapes"). */
export const accessDecisionRequest = z.object({
  requester: z.object({
    user: z.email({ error: "requester.user must be the user's email address." }).transform((e) => e.toLowerCase()),
    trust: odsCode,
  }),
  study: z.object({
    sourceTrust: odsCode,
    modality: z.enum(modalities, { error: "study.modality must be a DICOM modality code such as CT or MR." }),
    studyDate: plausibleDate("study.studyDate must be a date, YYYY-MM-DD."),
    studyInstanceUid: z
      .string()
      .regex(/^[0-9]+(\.[0-9]+)*$/, "study.studyInstanceUid must be a DICOM UID (digits and dots).")
      .max(64, "study.studyInstanceUid can be at most 64 characters.")
      .nullish(),
    patientNhsNumber: nhsNumber.nullish(),
  }),
  purpose: z.enum(purposes, { error: `purpose must be one of ${purposes.join(", ")}.` }),
  patientEpisodeTrusts: z.array(odsCode).max(50).default([]),
  breakGlassJustification: z
    .string()
    .trim()
    .max(2000, "breakGlassJustification can be at most 2,000 characters.")
    .nullish()
    .transform((v) => (v ? v : null)),
});
export type AccessDecisionRequest = z.infer<typeof accessDecisionRequest>;

/** The simulator's question: a hypothetical requester (trust and role) rather than a person. */
export const simulationInput = z.object({
  requesterTrust: odsCode,
  requesterRole: z.enum(clinicalRoles, { error: "Choose the requester's role." }),
  sourceTrust: odsCode,
  modality: z.enum(modalities, { error: "Choose the modality." }),
  studyDate: z
    .string({ error: "Enter the study date." })
    .regex(/^\d{4}-\d{2}-\d{2}$/, "Enter the study date, for example 2024-05-01.")
    .refine(isIsoDay, "Enter a real study date."),
  purpose: z.enum(purposes, { error: "Choose the purpose." }),
  patientNhsNumber: z.preprocess((v) => (v === "" ? undefined : v), nhsNumber.optional()),
  hasEpisode: checkbox,
  breakGlassJustification: z.string().trim().max(2000).optional().transform((v) => (v ? v : null)),
  at: z.preprocess((v) => (v === "" ? undefined : v), dateOnly("date of the question").optional()),
});
