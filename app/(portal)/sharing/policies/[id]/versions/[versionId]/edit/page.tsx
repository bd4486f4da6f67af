import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PolicyEditor } from "@/components/sharing/policy-editor";
import { PageHeader } from "@/components/ui/page-header";
import { requireContext } from "@/lib/auth/request";
import { orNotFound } from "@/lib/pages";
import { editorOptions, editorValuesOf } from "@/lib/sharing/editor";
import { getPolicy } from "@/lib/sharing/queries";
import { saveDraftAction } from "../../../../../actions";

export const metadata: Metadata = { title: "Edit draft" };

export default async function EditDraftPage({ params }: { params: Promise<{ id: string; versionId: string }> }) {
  const ctx = await requireContext();
  const { id, versionId } = await params;
  const policy = await orNotFound(getPolicy(ctx, id));
  const version = policy.versions.find((v) => v.id === versionId);
  // Only the author edits a draft; anything else is not an edit page.
  if (!version || version.status !== "draft" || version.createdBy !== ctx.userId || !policy.canWrite) notFound();
  const options = editorOptions(policy.trusts, [policy.sourceTrust]);
  return (
    <>
      <PageHeader title={`Edit ${policy.name}, draft v${version.version}`} description={`Source trust ${policy.sourceTrust.name} (${policy.sourceTrust.odsCode}).`} />
      <PolicyEditor action={saveDraftAction.bind(null, version.id)} options={options} submitLabel="Save draft" defaults={editorValuesOf(version)} />
    </>
  );
}
