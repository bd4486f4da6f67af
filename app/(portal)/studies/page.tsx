import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { DataTable, pageNumber, pageRows } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { Field, inputClass } from "@/components/ui/field";
import { PageHeader } from "@/components/ui/page-header";
import { canAnywhere } from "@/lib/auth/context";
import { canSeeUnattributed } from "@/lib/pacs/queries";
import { formatDateTime } from "@/lib/calendar";
import { formatBytes } from "@/lib/format";
import { requireContext } from "@/lib/identity/request";
import { actionLabel, modalityLabel, outcomeLabel, purposeLabel, roleLabel } from "@/lib/labels";
import { orNotFound, pageQuery } from "@/lib/pages";
import { lookUpStudies, maxHistory } from "@/lib/studies/queries";
import { studyLookup } from "@/lib/studies/schemas";
import { deviceKindLabels } from "@/lib/vocabulary";

export const metadata: Metadata = { title: "Study look-up" };

const historyPageSize = 50;

export default async function StudiesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireContext();
  if (!canAnywhere(ctx, "studies.read")) notFound();
  const seesUnattributed = canSeeUnattributed(ctx);
  const query = await pageQuery(searchParams);
  const asked = typeof query.q === "string" && query.q.trim() !== "";
  const parsed = asked ? studyLookup.safeParse(query) : null;
  const errors = parsed && !parsed.success ? parsed.error.issues.filter((i) => i.path[0] === "q").map((i) => i.message) : undefined;
  const by = typeof query.by === "string" && query.by === "study" ? "study" : "accession";
  const results = parsed?.success ? await orNotFound(lookUpStudies(ctx, parsed.data)) : null;
  const lookupQuery = parsed?.success ? new URLSearchParams({ by: parsed.data.by, q: parsed.data.q }) : null;
  const page = pageNumber(query.page);
  return (
    <>
      <PageHeader
        title="Study look-up"
        description="Find a study of your trusts by its accession number or Study Instance UID: where it was made, by which device, its size, and who has accessed it. Each look-up is recorded in the audit trail."
      />
      {seesUnattributed && (
        <p className="mb-4">
          <Link href="/studies/unattributed" className="text-brand underline">
            Unattributed studies
          </Link>{" "}
          the archive holds but no trust has been given yet.
        </p>
      )}
      <form role="search" aria-label="Look up a study" className="mb-6 flex flex-col gap-4 no-print">
        <fieldset className="flex flex-wrap gap-4">
          <legend className="mb-1 font-semibold">Search by</legend>
          <label className="flex items-center gap-2">
            <input type="radio" name="by" value="accession" defaultChecked={by === "accession"} className="h-5 w-5" /> Accession number
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="by" value="study" defaultChecked={by === "study"} className="h-5 w-5" /> Study Instance UID
          </label>
        </fieldset>
        <Field id="study-q" label="Accession number or Study Instance UID" hint="For example RHM2026031400012, or 1.2.826.0.1.3680043.10.543.1.20260314.12." errors={errors}>
          {(describedBy, invalid) => (
            <input id="study-q" name="q" type="search" defaultValue={typeof query.q === "string" ? query.q : ""} aria-describedby={describedBy} aria-invalid={invalid} className={`${inputClass} font-mono`} />
          )}
        </Field>
        <div>
          <button type="submit" className="rounded bg-brand px-4 py-2 font-semibold text-white">
            Look up
          </button>
        </div>
      </form>
      {results && results.length === 0 && (
        <EmptyState title="No study found">No study of your trusts has this {by === "study" ? "Study Instance UID" : "accession number"}.</EmptyState>
      )}
      {results?.map(({ study, history }, i) => {
        const shown = pageRows(history, page, historyPageSize, `Pages of the access history of ${study.accessionNumber}`, (p) => `/studies?${new URLSearchParams([...(lookupQuery ?? []), ["page", String(p)]])}`);
        return (
          <section key={`${study.trustId}-${study.studyInstanceUid}`} aria-labelledby={`study-${i}`} className="mb-8 rounded border border-line bg-white p-5">
            <h2 id={`study-${i}`} className="text-xl font-bold">
              Study {study.accessionNumber} <span className="text-muted">· {study.odsCode}</span>
            </h2>
            <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-2 sm:grid-cols-[max-content_1fr]">
              <dt className="font-semibold">Study Instance UID</dt>
              <dd className="break-all font-mono">{study.studyInstanceUid}</dd>
              <dt className="font-semibold">Trust</dt>
              <dd>
                {study.trustName} ({study.odsCode})
              </dd>
              <dt className="font-semibold">Site</dt>
              <dd>
                {study.siteName} ({study.siteCode})
              </dd>
              <dt className="font-semibold">Device</dt>
              <dd>
                {study.device ? (
                  <>
                    <span className="font-mono">{study.device.aeTitle}</span> · {deviceKindLabels[study.device.kind as keyof typeof deviceKindLabels] ?? study.device.kind}
                    {study.device.retired && <Badge tone="neutral">Retired</Badge>}
                  </>
                ) : study.aeTitle ? (
                  <>
                    <span className="font-mono">{study.aeTitle}</span> (not a registered device of {study.odsCode})
                  </>
                ) : (
                  "Not recorded"
                )}
              </dd>
              <dt className="font-semibold">Modality</dt>
              <dd>
                {study.modality} · {modalityLabel(study.modality)}
              </dd>
              <dt className="font-semibold">Performed</dt>
              <dd>{formatDateTime(study.performedAt)}</dd>
              <dt className="font-semibold">Size</dt>
              <dd>
                {formatBytes(study.sizeBytes)} in {study.imageCount.toLocaleString("en-GB")} {study.imageCount === 1 ? "image" : "images"}
              </dd>
            </dl>
            <h3 className="mb-2 mt-5 text-lg font-bold">Access history</h3>
            <DataTable
              caption={`Access history of study ${study.accessionNumber} (${history.length.toLocaleString("en-GB")}${history.length === maxHistory ? " newest" : ""} events)`}
              rows={shown.rows}
              rowKey={(e) => e.id}
              paging={shown.paging}
              csvHref={lookupQuery ? `/studies/export.csv?${lookupQuery}` : undefined}
              empty="No one has accessed this study yet"
              columns={[
                { header: "When", cell: (e) => formatDateTime(e.occurredAt) },
                { header: "What", cell: (e) => actionLabel(e.action) },
                { header: "Outcome", cell: (e) => <Badge tone={e.outcome === "success" ? "success" : "warning"}>{outcomeLabel(e.outcome)}</Badge> },
                { header: "Who", cell: (e) => e.actorEmail ?? "—" },
                { header: "Role and trust", cell: (e) => [e.actorRole ? roleLabel(e.actorRole) : null, e.actorTrust].filter(Boolean).join(", ") || "—" },
                { header: "Purpose", cell: (e) => (e.purpose ? purposeLabel(e.purpose) : "—") },
                { header: "Break-glass", cell: (e) => e.breakGlassJustification ?? "—" },
              ]}
            />
          </section>
        );
      })}
    </>
  );
}
