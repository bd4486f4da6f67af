import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AttributeForm } from "@/components/pacs/attribute-form";
import { PageHeader } from "@/components/ui/page-header";
import { formatDateTime } from "@/lib/calendar";
import { formatBytes } from "@/lib/format";
import { requireContext } from "@/lib/identity/request";
import { orNotFound, pageQuery } from "@/lib/pages";
import { attributionSites, getUnattributed } from "@/lib/pacs/queries";
import { attributeStudyAction } from "../actions";

export const metadata: Metadata = { title: "Attribute a study" };

export default async function AttributeStudyPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireContext();
  const query = await pageQuery(searchParams);
  if (typeof query.archive !== "string" || typeof query.study !== "string") notFound();
  const study = await orNotFound(getUnattributed(ctx, query.archive, query.study));
  const sites = await attributionSites(ctx);
  return (
    <>
      <PageHeader
        title={`Attribute study ${study.accessionNumber ?? study.studyInstanceUid}`}
        description="Give this study to the site that made it. Mosaic records its exam for the site's trust exactly as if its device had been registered, and the change is recorded in the audit trail. If the device will store more studies, register it instead: its waiting studies are then recorded on the connector's next run."
      />
      <p className="mb-4">
        <Link href="/studies/unattributed" className="text-brand underline">
          Back to unattributed studies
        </Link>
      </p>
      <dl className="mb-6 grid grid-cols-1 gap-x-6 gap-y-2 rounded border border-line bg-white p-5 sm:grid-cols-[max-content_1fr]">
        <dt className="font-semibold">Study Instance UID</dt>
        <dd className="break-all font-mono">{study.studyInstanceUid}</dd>
        <dt className="font-semibold">Accession number</dt>
        <dd>{study.accessionNumber ?? "—"}</dd>
        <dt className="font-semibold">Calling AE title</dt>
        <dd className="font-mono">{study.callingAeTitle ?? "—"}</dd>
        <dt className="font-semibold">Modality</dt>
        <dd>{study.modality ?? "—"}</dd>
        <dt className="font-semibold">Study date</dt>
        <dd>{study.performedAt ? formatDateTime(study.performedAt) : "—"}</dd>
        <dt className="font-semibold">Size</dt>
        <dd>
          {formatBytes(study.sizeBytes)} in {study.instanceCount.toLocaleString("en-GB")} instances
        </dd>
        <dt className="font-semibold">Problem</dt>
        <dd>{study.problem ?? "—"}</dd>
        <dt className="font-semibold">First seen</dt>
        <dd>{formatDateTime(study.firstSeenAt)}</dd>
      </dl>
      <AttributeForm action={attributeStudyAction} archive={study.archive} studyId={study.studyId} sites={sites} />
    </>
  );
}
