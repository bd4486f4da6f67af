import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PolicyEditor } from "@/components/sharing/policy-editor";
import { PageHeader } from "@/components/ui/page-header";
import { cache } from "react";
import type { Ctx } from "@/lib/auth/context";
import { getRequestContext, requireContext } from "@/lib/identity/request";
import { orNotFound, titleOf } from "@/lib/pages";
import { editorOptions, editorValuesOf } from "@/lib/sharing/editor";
import { getPolicy } from "@/lib/sharing/queries";
import { saveDraftAction } from "../../../../../actions";

// The title and the page read the same policy once per request.
const loadPolicy = cache(getPolicy);

// Only the author edits a draft; anything else is not an edit page.
const editableDraft = (ctx: Ctx, policy: Awaited<ReturnType<typeof getPolicy>>, versionId: string) =>
  policy.versions.find((v) => v.id === versionId && v.status === "draft" && v.createdBy === ctx.userId && policy.canWrite);

type Params = { params: Promise<{ id: string; versionId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { id, versionId } = await params;
  const ctx = await getRequestContext();
  return titleOf(ctx, (c) => loadPolicy(c, id), (policy) => {
    const version = ctx && editableDraft(ctx, policy, versionId);
    return version ? `Edit ${policy.name}, draft v${version.version}` : null;
  });
}

export default async function EditDraftPage({ params }: Params) {
  const ctx = await requireContext();
  const { id, versionId } = await params;
  const policy = await orNotFound(loadPolicy(ctx, id));
  const version = editableDraft(ctx, policy, versionId);
  if (!version) notFound();
  const options = editorOptions(policy.trusts, [policy.sourceTrust]);
  return (
    <>
      <PageHeader title={`Edit ${policy.name}, draft v${version.version}`} description={`Source trust ${policy.sourceTrust.name} (${policy.sourceTrust.odsCode}).`} />
      <PolicyEditor action={saveDraftAction.bind(null, version.id)} options={options} submitLabel="Save draft" defaults={editorValuesOf(version)} />
    </>
  );
}
