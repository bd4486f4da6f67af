import { z } from "zod";
import { maxBatchItems, maxExamBytes, maxStorageBytes, plausibleDate, plausibleInstant } from "@/lib/limits";
import { storageTiers } from "@/db/schema/capacity";
import { modalities } from "@/lib/vocabulary";
import { odsCode } from "@/lib/trusts/schemas";
import { aeTitle } from "@/lib/devices/schemas";
import { nhsNumberInput } from "@/lib/nhs-number";

export type StorageTier = (typeof storageTiers)[number];

// A DICOM UID: dot-separated numbers without leading zeros, at most 64 characters (PS3.5 9.1).
const studyInstanceUid = z
  .string({ error: "Give the study instance UID." })
  .max(64, "A study instance UID has at most 64 characters.")
  .regex(/^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$/, "A study instance UID is numbers separated by dots, for example 1.2.826.0.1.3680043.");

const siteCode = z
  .string({ error: "Give the site code." })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{5}$/, "A site code is 5 letters and digits, for example RHM01.");

const modality = z.enum(modalities, { error: `The modality is one of ${modalities.join(", ")}.` });
const tier = z.enum(storageTiers, { error: "The tier is online or archive." });

/** One exam as the PACS reports it (DESIGN.md, machine API shapes). */
const examInput = z.object({
  studyInstanceUid,
  accessionNumber: z
    .string({ error: "Give the accession number." })
    .trim()
    .min(1, "Give the accession number.")
    .max(64, "An accession number has at most 64 characters."),
  trust: odsCode,
  site: siteCode,
  modality,
  performedAt: plausibleInstant("performedAt is an ISO 8601 date and time with its offset, for example 2025-03-04T09:15:00Z.").transform((s) => new Date(s)),
  // Both fit their columns (integer, bigint) with room for the rollups' sums (lib/limits.ts).
  imageCount: z.int({ error: "imageCount is a whole number." }).min(0, "imageCount cannot be negative.").max(1_000_000, "imageCount is at most 1,000,000."),
  sizeBytes: z.int({ error: "sizeBytes is a whole number of bytes." }).min(0, "sizeBytes cannot be negative.").max(maxExamBytes, `sizeBytes is at most ${maxExamBytes} (10 TB).`),
  // The calling AE title the study was stored from (optional: the archive connector knows it, a
  // PACS reporting by hand may not). Not part of what makes a retried exam the same report.
  aeTitle: aeTitle.nullish().transform((t) => t ?? null),
  // The patient, when the PACS knows their NHS number: the DICOMweb gateway's legitimate
  // relationships (does the patient have an exam at the trust a person acts for?).
  patientNhsNumber: nhsNumberInput.nullish().transform((n) => n ?? null),
});
export type ExamInput = z.output<typeof examInput>;

export const examBatch = z.object({
  exams: z
    .array(examInput, { error: "Send { \"exams\": [...] }." })
    .min(1, "Send at least one exam.")
    .max(maxBatchItems, `Send at most ${maxBatchItems} exams in one batch.`),
});

/** One storage usage snapshot: bytes a trust holds on a tier for a modality on a date. */
const storageUsageInput = z.object({
  trust: odsCode,
  tier,
  date: plausibleDate("date is an ISO 8601 date, for example 2025-03-04."),
  modality,
  bytes: z.int({ error: "bytes is a whole number." }).min(0, "bytes cannot be negative.").max(maxStorageBytes, `bytes is at most ${maxStorageBytes} (100 PB).`),
});
export type StorageUsageInput = z.output<typeof storageUsageInput>;

export const storageUsageBatch = z
  .object({
    usage: z
      .array(storageUsageInput, { error: "Send { \"usage\": [...] }." })
      .min(1, "Send at least one snapshot.")
      .max(maxBatchItems, `Send at most ${maxBatchItems} snapshots in one batch.`),
  })
  .superRefine((batch, ctx) => {
    // One snapshot per key in a batch: two different values for the same day would be ambiguous.
    const seen = new Map<string, number>();
    batch.usage.forEach((u, i) => {
      const key = `${u.trust}|${u.tier}|${u.date}|${u.modality}`;
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({ code: "custom", path: ["usage", i, "date"], message: `Repeats snapshot ${first} (same trust, tier, date and modality).` });
      } else seen.set(key, i);
    });
  });

const terabytes = (what: string) =>
  z.coerce
    .number({ error: `Enter the ${what} in terabytes.` })
    .positive(`The ${what} must be more than 0 TB.`)
    .max(100_000, `The ${what} can be at most 100,000 TB.`);

/** A PACS manager's quota change request (the form sends terabytes; stored as bytes). */
export const quotaRequestInput = z.object({
  trust: odsCode,
  tier,
  requestedTerabytes: terabytes("requested quota"),
  reason: z
    .string({ error: "Say why the quota should change." })
    .trim()
    .min(10, "Say why the quota should change (at least 10 characters).")
    .max(2000, "The reason can be at most 2,000 characters."),
});

/** A CIO's decision on a pending request. */
export const quotaDecisionInput = z.object({
  requestId: z.uuid({ error: "Choose a request." }),
  decision: z.enum(["approve", "decline"], { error: "Choose approve or decline." }),
  note: z.string().trim().max(2000, "The note can be at most 2,000 characters.").optional().default(""),
});

export const bytesPerTerabyte = 1e12;
