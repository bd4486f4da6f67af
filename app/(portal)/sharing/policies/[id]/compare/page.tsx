import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { statusTone } from "@/components/sharing/labels";
import { purposeLabel, roleLabel, versionStatusLabel } from "@/lib/labels";
import { SharingTabs } from "@/components/sharing/sharing-tabs";
import { ReasonForm, StepButton } from "@/components/sharing/version-actions";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { requireContext } from "@/lib/identity/request";
import { orNotFound } from "@/lib/pages";
import { diffVersions, type DiffRow } from "@/lib/sharing/diff";
import { getPolicy } from "@/lib/sharing/queries";
import { versionReasonAction, versionStepAction } from "../../../actions";

export const metadata: Metadata = { title: "Compare policy versions" };

const changeText: Record<DiffRow["change"], string> = { same: "Same", changed: "Changed", added: "Added", removed: "Removed" };
const changeClass: Record<DiffRow["change"], string> = { same: "", changed: "bg-amber-50", added: "bg-green-50", removed: "bg-red-50" };

export default async function ComparePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireContext();
  const { id } = await params;
  const query = await searchParams;
  const policy = await orNotFound(getPolicy(ctx, id));
  const to = policy.versions.find((v) => String(v.version) === query.to);
  if (!to) notFound();
  const from = typeof query.from === "string" && query.from ? policy.versions.find((v) => String(v.version) === query.from) ?? null : null;
  const sections = diffVersions(from, to, { role: roleLabel, purpose: purposeLabel });
  const changes = sections.flatMap((s) => s.rows).filter((r) => r.change !== "same").length;
  const canReview = to.status === "pending_approval" && policy.canApprove && to.createdBy !== ctx.userId;
  return (
    <>
      <PageHeader
        title={from ? `${policy.name}: v${from.version} and v${to.version}` : `${policy.name}: v${to.version}`}
        description={`Source trust ${policy.sourceTrust.odsCode}. ${from ? `${changes} ${changes === 1 ? "difference" : "differences"}.` : "No earlier published version to compare with."}`}
        actions={
          <ButtonLink variant="secondary" href={`/sharing/policies/${policy.id}`}>
            Back to the policy
          </ButtonLink>
        }
      />
      <SharingTabs current="/sharing" />
      <p className="mb-4 flex flex-wrap items-center gap-2">
        {from && (
          <>
            v{from.version} <Badge tone={statusTone[from.status]}>{versionStatusLabel(from.status)}</Badge> →
          </>
        )}
        v{to.version} <Badge tone={statusTone[to.status]}>{versionStatusLabel(to.status)}</Badge>
        {to.changeNote && <span className="text-muted">Author&apos;s note: {to.changeNote}</span>}
      </p>
      {sections.map((section) => (
        <div key={section.title} className="mb-6">
          <DataTable
            caption={section.title}
            showCaption
            rows={section.rows}
            rowKey={(row) => row.label}
            rowClassName={(row) => changeClass[row.change]}
            columns={[
              { header: "Field", rowHeader: true, className: "w-1/5", cell: (row) => <span className="text-muted">{row.label}</span> },
              { header: from ? `v${from.version}` : "Before", cell: (row) => row.before || "—" },
              { header: `v${to.version}`, cell: (row) => row.after || "—" },
              { header: "Change", className: "w-28", cell: (row) => <span className={row.change === "same" ? "text-muted" : "font-semibold"}>{changeText[row.change]}</span> },
            ]}
          />
        </div>
      ))}
      {canReview && (
        <section aria-labelledby="decide" className="rounded border border-line bg-white p-4">
          <h2 id="decide" className="mb-3 text-xl font-semibold">
            Your review
          </h2>
          <p className="mb-3">Approving makes v{to.version} active{from?.status === "active" ? ` and supersedes v${from.version}` : ""}. Your name is recorded as the second person.</p>
          <div className="flex flex-col gap-6">
            <StepButton action={versionStepAction.bind(null, "approve", to.id)} label={`Approve v${to.version}`} />
            <ReasonForm action={versionReasonAction.bind(null, "return", to.id)} label="Return to the author" reasonLabel="What needs changing" />
          </div>
        </section>
      )}
    </>
  );
}
