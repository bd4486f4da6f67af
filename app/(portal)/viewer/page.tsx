import type { Metadata } from "next";
import { headers } from "next/headers";
import { PageHeader } from "@/components/ui/page-header";
import { viewerTokenMinutes } from "@/lib/dicomweb/viewer-token";
import { requireContext } from "@/lib/identity/request";
import { ViewerTokenForm } from "./token-form";

export const metadata: Metadata = { title: "Image viewer access" };

export default async function ViewerAccessPage() {
  await requireContext();
  const h = await headers();
  const proto = h.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https" ? "https" : "http";
  const gateway = `${proto}://${h.get("host") ?? "localhost"}/dicom-web`;
  return (
    <>
      <PageHeader title="Image viewer access" description="Open the consortium's studies in a DICOMweb viewer, through Mosaic's sharing policies." />
      <div className="mb-6 flex max-w-3xl flex-col gap-3">
        <p>
          Mosaic&apos;s DICOMweb endpoint is <code className="rounded bg-canvas px-1">{gateway}</code> (QIDO-RS search, WADO-RS retrieve, STOW-RS store). A search shows only the studies the
          sharing policies let you see; every search and retrieval is recorded in the audit trail before the images leave.
        </p>
        <p>A viewer on this site uses your sign-in. A viewer elsewhere, or a command-line client, sends a viewer token, with these headers when needed:</p>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2">
          <dt className="font-mono">X-Acting-Trust</dt>
          <dd>the ODS code of the trust you act for (needed only if you hold roles at more than one)</dd>
          <dt className="font-mono">X-Purpose-Of-Use</dt>
          <dd>direct_care (the default), mdt, emergency, clinical_audit, teaching or research</dd>
          <dt className="font-mono">X-Break-Glass-Justification</dt>
          <dd>why you need a study the policies would otherwise refuse; the access is flagged for the IG officer&apos;s review</dd>
        </dl>
      </div>
      <ViewerTokenForm gateway={gateway} minutes={viewerTokenMinutes} />
    </>
  );
}
