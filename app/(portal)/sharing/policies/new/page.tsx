import { londonToday } from "@/lib/calendar";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PolicyEditor } from "@/components/sharing/policy-editor";
import { PageHeader } from "@/components/ui/page-header";
import { requireContext } from "@/lib/identity/request";
import { orNotFound } from "@/lib/pages";
import { editorOptions } from "@/lib/sharing/editor";
import { sharingFormOptions } from "@/lib/sharing/queries";
import { createPolicyAction } from "../../actions";

export const metadata: Metadata = { title: "New sharing policy" };

export default async function NewPolicyPage() {
  const ctx = await requireContext();
  const { all, mine } = await orNotFound(sharingFormOptions(ctx, "sharing.write"));
  if (mine.length === 0) notFound();
  const options = editorOptions(all, mine);
  const firstSource = mine[0]?.odsCode ?? "";
  return (
    <>
      <PageHeader title="New sharing policy" description="The policy starts as a draft. Another IG officer of the source trust approves it before it takes effect." />
      <PolicyEditor
        action={createPolicyAction}
        options={options}
        submitLabel="Save draft"
        defaults={{
          policy: { sourceTrust: firstSource, name: "", description: "" },
          draft: {
            effectiveFrom: londonToday(),
            effectiveUntil: "",
            changeNote: "",
            rules: [
              {
                id: crypto.randomUUID(),
                effect: "permit",
                targetTrusts: [],
                requesterRoles: ["radiologist"],
                modalities: [],
                purposes: ["direct_care"],
                maxStudyAgeYears: "",
                requiresRelationship: true,
                breakGlassAllowed: false,
              },
            ],
          },
        }}
      />
    </>
  );
}
