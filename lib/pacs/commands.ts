import "server-only";
// A consortium administrator resolves a waiting study by hand: they name the site (and so the trust)
// that made it, and the study is recorded exactly as the connector records an attributed one.
import { and, eq } from "drizzle-orm";
import { pacsStudies, sites, trusts } from "@/db/schema";
import type { Ctx } from "@/lib/auth/context";
import { storeExamBatch } from "@/lib/capacity/ingest";
import { examBatch } from "@/lib/capacity/schemas";
import { AppError, notFound } from "@/lib/errors";
import { defineMutation } from "@/lib/mutation";
import { attributeInput } from "./schemas";

const fieldError = (field: string, message: string) => new AppError("VALIDATION", message, { fieldErrors: { [field]: [message] } });

// The exam's fields a person can act on, as the attribution form names them.
const studyFieldOf: Record<string, string> = { accessionNumber: "accessionNumber", modality: "modality", performedAt: "performedAt" };

const attributeMutation = defineMutation({
  name: "pacs.attribute",
  permission: "sites.write",
  refusal: "Only a consortium administrator can attribute a study.",
  input: attributeInput,
  audit: ["pacs.attribute"],
  // A waiting study has no trust: it is consortium-wide, so only a consortium-wide role may attribute
  // it (the permission is checked at trust null). Row-level security hides unattributed rows from any
  // narrower scope, so for them the study reads as missing.
  locate: async (tx, _ctx, { data }) => {
    const [study] = await tx
      .select()
      .from(pacsStudies)
      .where(and(eq(pacsStudies.archive, data.archive), eq(pacsStudies.archiveStudyId, data.studyId), eq(pacsStudies.status, "unattributed")))
      .for("update");
    if (!study) throw notFound("No such study waits for attribution.");
    return { trustId: null, study };
  },
  run: async ({ tx, data, found: { study }, audit }) => {
    const [place] = await tx
      .select({ siteId: sites.id, siteCode: sites.code, trustId: trusts.id, odsCode: trusts.odsCode })
      .from(sites)
      .innerJoin(trusts, eq(trusts.id, sites.trustId))
      .where(eq(sites.id, data.siteId));
    if (!place) throw fieldError("siteId", "Choose one of the consortium's sites.");
    // The same validation and ingest as POST /api/v1/exams and the connector: one exam, all or nothing.
    const parsed = examBatch.safeParse({
      exams: [
        {
          studyInstanceUid: study.studyInstanceUid,
          accessionNumber: study.accessionNumber ?? undefined,
          trust: place.odsCode,
          site: place.siteCode,
          modality: study.modality ?? undefined,
          performedAt: study.performedAt?.toISOString(),
          imageCount: study.instanceCount,
          sizeBytes: study.sizeBytes,
          aeTitle: study.callingAeTitle ?? undefined,
          patientNhsNumber: study.nhsNumber ?? undefined,
        },
      ],
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = studyFieldOf[String(issue?.path[2])] ?? "studyId";
      throw fieldError(field, `The study cannot be recorded as it is in the archive: ${issue?.path.slice(2).join(".")}: ${issue?.message}`);
    }
    const exam = parsed.data.exams[0]!;
    const stored = await storeExamBatch(tx, { all: true }, [exam]);
    await tx
      .update(pacsStudies)
      .set({
        status: "recorded",
        trustId: place.trustId,
        siteId: place.siteId,
        departmentId: null,
        modality: exam.modality,
        problem: null,
        attributedBy: "administrator",
        updatedAt: new Date(),
      })
      .where(and(eq(pacsStudies.archive, study.archive), eq(pacsStudies.archiveStudyId, study.archiveStudyId), eq(pacsStudies.status, "unattributed")));
    await audit({
      action: "pacs.attribute",
      // The trust now the study's controller records the event too: its officers see who attributed it.
      sourceTrustId: place.trustId,
      target: { type: "pacs_study", id: `${study.archive}/${study.archiveStudyId}` },
      access: { studyInstanceUid: study.studyInstanceUid, accessionNumber: study.accessionNumber, patientNhsNumber: study.nhsNumber },
      details: {
        studyInstanceUid: study.studyInstanceUid,
        callingAeTitle: study.callingAeTitle,
        before: { status: "unattributed", problem: study.problem },
        after: { status: "recorded", trust: place.odsCode, site: place.siteCode },
        examStored: stored.accepted === 1,
      },
    });
    return { odsCode: place.odsCode, siteCode: place.siteCode };
  },
});

/** Attributes a waiting study to a site and its trust, recording its exam (consortium administrators). */
export const attributeStudy = (ctx: Ctx, input: unknown) => attributeMutation(ctx, {}, input);
