import "server-only";
import { trustsWhere, type Ctx } from "@/lib/auth/context";
import { AppError, notFound, validationError } from "@/lib/errors";
import { referenceCache } from "@/lib/trusts/directory";
import { policySetCache } from "./cache";
import { explain, type Explanation } from "./engine";
import { simulationInput } from "./schemas";

/**
 * Answers a hypothetical question ("may a radiologist of RHU view this RNZ MR for an MDT?") with
 * the same compiled policy set the machine API uses, and explains every rule. The caller must read
 * sharing at the source or the requester trust; rules they could not read are left out.
 */
export async function simulate(ctx: Ctx, input: unknown): Promise<{ explanation: Explanation; at: Date }> {
  const scope = trustsWhere(ctx, "sharing.read");
  if (!scope.all && scope.trustIds.length === 0) throw notFound("Not found.");
  const parsed = simulationInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error);
  const q = parsed.data;
  // The directory (public reference data, cached per instance) and the compiled set: asked for together.
  const [{ trusts: directory }, snapshot] = await Promise.all([referenceCache.get(), policySetCache.get()]);
  const byOds = new Map(directory.map((t) => [t.odsCode, t]));
  const source = byOds.get(q.sourceTrust);
  const requester = byOds.get(q.requesterTrust);
  if (!source) throw new AppError("VALIDATION", "Choose the source trust.", { fieldErrors: { sourceTrust: ["Choose a trust from the list."] } });
  if (!requester) throw new AppError("VALIDATION", "Choose the requester's trust.", { fieldErrors: { requesterTrust: ["Choose a trust from the list."] } });
  const readsSource = scope.all || scope.trustIds.includes(source.id);
  const readsRequester = scope.all || scope.trustIds.includes(requester.id);
  if (!readsSource && !readsRequester) {
    throw new AppError("VALIDATION", "You can simulate questions about your own trust's images or your own trust's staff.", {
      fieldErrors: { sourceTrust: ["Choose your trust as the source or as the requester's trust."] },
    });
  }
  const at = q.at ?? new Date();
  const explanation = explain(
    snapshot.set,
    {
      requester: { user: "(simulated requester)", trust: q.requesterTrust, status: "active", roles: [q.requesterRole] },
      study: { sourceTrust: q.sourceTrust, modality: q.modality, studyDate: q.studyDate, patientNhsNumber: q.patientNhsNumber ?? null },
      purpose: q.purpose,
      patientEpisodeTrusts: q.hasEpisode ? [q.requesterTrust] : [],
      breakGlassJustification: q.breakGlassJustification,
    },
    at,
  );
  if (readsSource) return { explanation, at };
  // A reader at the requester's trust sees the rules that name their trust, as they see those policies.
  return {
    explanation: {
      ...explanation,
      rules: explanation.rules.filter((r) => r.checks.some((c) => c.condition === "target_trust" && c.met)),
      inactiveVersions: [],
    },
    at,
  };
}
