-- Hand-written: the patient of an exam (issue 14). The DICOMweb gateway decides a person's access to a
-- study from Mosaic's own records: the legitimate relationship is whether the patient has an exam at
-- the trust the person acts for, so an exam names its patient by NHS number when the archive gives one
-- (null otherwise: such a study has a relationship with its own trust only).
ALTER TABLE "exams" ADD COLUMN "patient_nhs_number" text;
--> statement-breakpoint
CREATE INDEX "exams_patient_trust_idx" ON "exams" ("patient_nhs_number", "trust_id") WHERE "patient_nhs_number" IS NOT NULL;
