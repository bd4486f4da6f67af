import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { exams } from "@/db/schema";
import { patientOfStudy } from "@/lib/audit/search";
import { trustsWhere, type Ctx } from "@/lib/auth/context";
import { londonDayOf } from "@/lib/calendar";
import { withTenant } from "@/lib/db/scope";
import { AppError, notFound, validationError } from "@/lib/errors";
import { referenceCache } from "@/lib/trust-directory";
import { policySetCache } from "./cache";
import { resolveRequest } from "./decisions";
import { explain, type Explanation } from "./engine";
import { simulationInput, type AccessDecisionRequest } from "./schemas";

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/**
 * The simulator's question: a role or a named person (their roles at the requester's trust, from
 * Mosaic's records), and a modality and date or a study by its Study Instance UID (its trust,
 * modality and date from the exam records, its patient from the audit trail). A field that a named
 * person or a study replaces is not needed.
 */
const simulationQuestion = simulationInput
  .extend({
    requesterEmail: z.preprocess(blank, z.email({ error: "Enter the person's email address, for example a.name@nhs.net." }).max(200).toLowerCase().optional()),
    studyInstanceUid: z.preprocess(
      blank,
      z
        .string()
        .trim()
        .max(64, "A Study Instance UID has at most 64 characters.")
        .regex(/^(0|[1-9]\d*)(\.(0|[1-9]\d*))+$/, "Enter a Study Instance UID: numbers separated by dots, for example 1.2.826.0.1.3680043.2.1.")
        .optional(),
    ),
    requesterRole: z.preprocess(blank, simulationInput.shape.requesterRole.optional()),
    sourceTrust: z.preprocess(blank, simulationInput.shape.sourceTrust.optional()),
    modality: z.preprocess(blank, simulationInput.shape.modality.optional()),
    studyDate: z.preprocess(blank, simulationInput.shape.studyDate.optional()),
  })
  .superRefine((q, issues) => {
    if (!q.requesterEmail && !q.requesterRole) issues.addIssue({ code: "custom", path: ["requesterRole"], message: "Choose the requester's role, or name a person." });
    if (q.studyInstanceUid) return;
    if (!q.sourceTrust) issues.addIssue({ code: "custom", path: ["sourceTrust"], message: "Choose the trust that owns the study, or give its Study Instance UID." });
    if (!q.modality) issues.addIssue({ code: "custom", path: ["modality"], message: "Choose the modality, or give the study's Study Instance UID." });
    if (!q.studyDate) issues.addIssue({ code: "custom", path: ["studyDate"], message: "Enter the study date, or give the study's Study Instance UID." });
  });

/** Who was asked about, when the question named a person: their status and roles at the requester's trust. */
export type SimulatedPerson = { email: string; status: string | null; roles: string[] };
/** The study asked about, when the question named one by its UID. */
export type SimulatedStudy = { studyInstanceUid: string; sourceTrust: string; modality: string; studyDate: string; patientNhsNumber: string | null };

const fieldError = (field: string, message: string) => new AppError("VALIDATION", message, { fieldErrors: { [field]: [message] } });

/**
 * Answers a hypothetical question ("may a radiologist of RHU view this RNZ MR for an MDT?", "may
 * a.name@rhu view study 1.2.…?") with the same compiled policy set the machine API uses, and
 * explains every rule. The caller must read sharing at the source or the requester trust; rules
 * they could not read are left out. A study is looked up among the exams the caller's trusts may
 * read, so another trust's study is not found, exactly as a missing one.
 */
export async function simulate(
  ctx: Ctx,
  input: unknown,
): Promise<{ explanation: Explanation; at: Date; person: SimulatedPerson | null; study: SimulatedStudy | null }> {
  const scope = trustsWhere(ctx, "sharing.read");
  if (!scope.all && scope.trustIds.length === 0) throw notFound("Not found.");
  const parsed = simulationQuestion.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error);
  const q = parsed.data;
  // The directory (public reference data, cached per instance), the study and the compiled set: asked for together.
  const [{ trusts: directory }, exam, snapshot] = await Promise.all([
    referenceCache.get(),
    q.studyInstanceUid
      ? withTenant(ctx, async (tx) => {
          const uid = q.studyInstanceUid!;
          const [row] = await tx.select({ trustId: exams.trustId, modality: exams.modality, performedAt: exams.performedAt }).from(exams).where(eq(exams.studyInstanceUid, uid)).limit(1);
          return row ? { ...row, patientNhsNumber: await patientOfStudy(tx, uid) } : null;
        })
      : null,
    policySetCache.get(),
  ]);
  const byOds = new Map(directory.map((t) => [t.odsCode, t]));
  let study: SimulatedStudy | null = null;
  if (q.studyInstanceUid) {
    const sourceTrust = exam && directory.find((t) => t.id === exam.trustId)?.odsCode;
    if (!exam || !sourceTrust) throw fieldError("studyInstanceUid", "No exam of your trusts has this Study Instance UID.");
    study = { studyInstanceUid: q.studyInstanceUid, sourceTrust, modality: exam.modality, studyDate: londonDayOf(exam.performedAt), patientNhsNumber: exam.patientNhsNumber };
  }
  const sourceOds = study?.sourceTrust ?? q.sourceTrust;
  const source = sourceOds ? byOds.get(sourceOds) : undefined;
  const requester = byOds.get(q.requesterTrust);
  if (!source) throw fieldError("sourceTrust", "Choose a trust from the list.");
  if (!requester) throw fieldError("requesterTrust", "Choose a trust from the list.");
  const readsSource = scope.all || scope.trustIds.includes(source.id);
  const readsRequester = scope.all || scope.trustIds.includes(requester.id);
  if (!readsSource && !readsRequester) {
    throw new AppError("VALIDATION", "You can simulate questions about your own trust's images or your own trust's staff.", {
      fieldErrors: { sourceTrust: ["Choose your trust as the source or as the requester's trust."] },
    });
  }
  const at = q.at ?? new Date();
  if (q.requesterEmail && !snapshot.users.has(q.requesterEmail)) throw fieldError("requesterEmail", "No one in Mosaic has this email address.");
  const patientNhsNumber = q.patientNhsNumber ?? study?.patientNhsNumber ?? null;
  // A named person is decided on exactly as the machine API decides on them: their status and their
  // roles at the requester's trust (or consortium-wide) on the day asked about.
  const request = resolveRequest(
    snapshot,
    {
      requester: { user: q.requesterEmail ?? "(simulated requester)", trust: q.requesterTrust },
      study: { sourceTrust: source.odsCode, modality: (study?.modality ?? q.modality ?? "") as AccessDecisionRequest["study"]["modality"], studyDate: study?.studyDate ?? q.studyDate ?? "", studyInstanceUid: study?.studyInstanceUid ?? null, patientNhsNumber },
      purpose: q.purpose,
      patientEpisodeTrusts: q.hasEpisode ? [q.requesterTrust] : [],
      breakGlassJustification: q.breakGlassJustification,
    },
    at,
  );
  const asked = q.requesterEmail ? request : { ...request, requester: { ...request.requester, status: "active" as const, roles: q.requesterRole ? [q.requesterRole] : [] } };
  const explanation = explain(snapshot.set, asked, at);
  const person = q.requesterEmail ? { email: q.requesterEmail, status: request.requester.status, roles: [...request.requester.roles] } : null;
  if (readsSource) return { explanation, at, person, study };
  // A reader at the requester's trust sees the rules that name their trust, as they see those policies.
  return {
    explanation: {
      ...explanation,
      rules: explanation.rules.filter((r) => r.checks.some((c) => c.condition === "target_trust" && c.met)),
      inactiveVersions: [],
    },
    at,
    person,
    study,
  };
}
