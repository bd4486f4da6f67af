import { toCsv } from "@/lib/csv";
import { AppError } from "@/lib/errors";
import { portalRoute } from "@/lib/portal-route";
import { lookUpStudies } from "@/lib/studies/queries";
import { studyLookup } from "@/lib/studies/schemas";

export const dynamic = "force-dynamic";

/** The access history of the studies a look-up finds, as CSV (the look-up is recorded again). */
export const GET = portalRoute(async (ctx, query) => {
  const parsed = studyLookup.safeParse(query);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues.map((i) => i.message).join(" "));
  const results = await lookUpStudies(ctx, parsed.data);
  const csv = toCsv(
    ["study_instance_uid", "accession_number", "trust", "occurred_at", "action", "outcome", "actor_email", "actor_role", "actor_trust", "purpose", "break_glass_justification"],
    results.flatMap(({ study, history }) =>
      history.map((e) => [study.studyInstanceUid, study.accessionNumber, study.odsCode, e.occurredAt.toISOString(), e.action, e.outcome, e.actorEmail ?? "", e.actorRole ?? "", e.actorTrust ?? "", e.purpose ?? "", e.breakGlassJustification ?? ""]),
    ),
  );
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="mosaic-study-access-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});
