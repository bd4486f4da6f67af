import { toCsv } from "@/lib/csv";
import { AppError } from "@/lib/errors";
import { exportUnattributed } from "@/lib/pacs/queries";
import { unattributedFilter } from "@/lib/pacs/schemas";
import { portalRoute } from "@/lib/portal-route";

export const dynamic = "force-dynamic";

/** The unattributed studies the filter selects, as CSV; the export is recorded in the audit trail. */
export const GET = portalRoute(async (ctx, query) => {
  const parsed = unattributedFilter.safeParse(query);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join(" "));
  const rows = await exportUnattributed(ctx, parsed.data);
  const csv = toCsv(
    ["study_instance_uid", "accession_number", "calling_ae_title", "modality", "study_date", "instances", "size_bytes", "problem", "first_seen_at", "archive", "archive_study_id"],
    rows.map((s) => [
      s.studyInstanceUid,
      s.accessionNumber ?? "",
      s.callingAeTitle ?? "",
      s.modality ?? "",
      s.performedAt?.toISOString() ?? "",
      String(s.instanceCount),
      String(s.sizeBytes),
      s.problem ?? "",
      s.firstSeenAt.toISOString(),
      s.archive,
      s.studyId,
    ]),
  );
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="mosaic-unattributed-studies-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});
