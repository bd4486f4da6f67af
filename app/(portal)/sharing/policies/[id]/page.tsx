import type { Metadata } from "next";
import Link from "next/link";
import { dateOf, statusTone, windowText } from "@/components/sharing/labels";
import { versionStatusLabel } from "@/lib/labels";
import { RuleSummary } from "@/components/sharing/rule-summary";
import { SharingTabs } from "@/components/sharing/sharing-tabs";
import { ReasonForm, StepButton } from "@/components/sharing/version-actions";
import { Badge } from "@/components/ui/badge";
import { DataTable } from "@/components/ui/data-table";
import { ButtonLink } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { requireContext } from "@/lib/identity/request";
import { orNotFound } from "@/lib/pages";
import { getPolicy, windowState } from "@/lib/sharing/queries";
import { versionReasonAction, versionStepAction } from "../../actions";

export const metadata: Metadata = { title: "Sharing policy" };

const savedText: Record<string, string> = {
  draft: "The draft was saved.",
  submit: "The draft was sent for approval.",
  approve: "The version was approved and is now active.",
  return: "The version was returned to its author as a draft.",
  revoke: "The version was revoked.",
};

export default async function PolicyPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireContext();
  const { id } = await params;
  const { saved } = await searchParams;
  const policy = await orNotFound(getPolicy(ctx, id));
  const active = policy.versions.find((v) => v.status === "active");
  const open = policy.versions.find((v) => v.status === "draft" || v.status === "pending_approval");
  const shown = active ?? policy.versions[0];
  const now = new Date();
  const previousOf = (version: number) => policy.versions.find((v) => v.version < version && (v.status === "active" || v.status === "superseded" || v.status === "revoked"));
  return (
    <>
      <PageHeader
        title={policy.name}
        description={
          <>
            Source trust {policy.sourceTrust.name} ({policy.sourceTrust.odsCode}). {policy.description}
          </>
        }
      />
      <SharingTabs current="/sharing" />
      {typeof saved === "string" && savedText[saved] && (
        <p role="status" className="mb-4 border-l-4 border-success bg-white p-3">
          {savedText[saved]}
        </p>
      )}

      <section aria-labelledby="next-steps" className="mb-8 rounded border border-line bg-white p-4">
        <h2 id="next-steps" className="mb-3 text-xl font-semibold">
          Next steps
        </h2>
        {open?.status === "draft" &&
          (open.createdBy === ctx.userId && policy.canWrite ? (
            <div className="flex flex-wrap items-start gap-3">
              <ButtonLink variant="secondary" href={`/sharing/policies/${policy.id}/versions/${open.id}/edit`}>
                Edit draft v{open.version}
              </ButtonLink>
              <StepButton action={versionStepAction.bind(null, "submit", open.id)} label={`Send v${open.version} for approval`} />
            </div>
          ) : (
            <p>
              Draft v{open.version} is being written by {open.authorName ?? "another officer"}.
            </p>
          ))}
        {open?.status === "pending_approval" && (
          <div className="flex flex-col gap-3">
            <p>
              Version {open.version} by {open.authorName ?? "another officer"} awaits approval.
              {open.createdBy === ctx.userId && " Another IG officer of the trust must approve it: you wrote it."}
            </p>
            <div>
              <ButtonLink href={`/sharing/policies/${policy.id}/compare?from=${active?.version ?? ""}&to=${open.version}`}>
                {policy.canApprove && open.createdBy !== ctx.userId ? `Review v${open.version}` : `Compare v${open.version} with the active version`}
              </ButtonLink>
            </div>
          </div>
        )}
        {!open && policy.canWrite && <StepButton action={versionStepAction.bind(null, "new_version", policy.id)} label="Start a new version" variant="secondary" />}
        {!open && !policy.canWrite && <p>Nothing to do: only IG officers of {policy.sourceTrust.odsCode} change this policy.</p>}
        {active && policy.canApprove && (
          <details className="mt-4">
            <summary className="cursor-pointer font-semibold text-danger">Revoke active version v{active.version}</summary>
            <div className="mt-3">
              <ReasonForm action={versionReasonAction.bind(null, "revoke", active.id)} label={`Revoke v${active.version}`} reasonLabel="Reason for revoking" hint="Recorded in the audit trail and shown in the version history." />
            </div>
          </details>
        )}
      </section>

      {shown && (
        <section aria-labelledby="current" className="mb-8">
          <h2 id="current" className="mb-1 text-xl font-semibold">
            {shown.status === "active" ? "Active version" : "Latest version"}: v{shown.version}
          </h2>
          <p className="mb-3 flex flex-wrap items-center gap-2 text-muted">
            <Badge tone={statusTone[shown.status]}>{versionStatusLabel(shown.status)}</Badge>
            {shown.status === "active" && windowState(shown, now) === "expired" && <Badge tone="danger">Expired</Badge>}
            {shown.status === "active" && windowState(shown, now) === "future" && <Badge tone="warning">Not yet in effect</Badge>}
            In effect {windowText(shown.effectiveFrom, shown.effectiveUntil)}.
          </p>
          <div className="grid gap-4 md:grid-cols-2">
            {shown.rules.map((rule, i) => (
              <RuleSummary key={rule.id} rule={rule} index={i} />
            ))}
          </div>
        </section>
      )}

      <section aria-labelledby="history">
        <h2 id="history" className="mb-3 text-xl font-semibold">
          Version history
        </h2>
        <DataTable
          caption={`Versions of ${policy.name}, newest first`}
          rows={policy.versions}
          rowKey={(v) => v.id}
          columns={[
            { header: "Version", rowHeader: true, cell: (v) => `v${v.version}` },
            { header: "Status", cell: (v) => <Badge tone={statusTone[v.status]}>{versionStatusLabel(v.status)}</Badge> },
            { header: "Window", cell: (v) => windowText(v.effectiveFrom, v.effectiveUntil) },
            {
              header: "Written by",
              cell: (v) => (
                <>
                  {v.authorName ?? "—"} <span className="text-muted">{dateOf(v.createdAt)}</span>
                </>
              ),
            },
            { header: "Approved", cell: (v) => (v.approvedAt ? `${v.approvedByName ?? "—"}, ${dateOf(v.approvedAt)}` : "—") },
            { header: "Notes", cell: (v) => (v.status === "revoked" ? `Revoked ${dateOf(v.revokedAt)} by ${v.revokedByName ?? "—"}: ${v.revokeReason}` : v.changeNote || "—") },
            {
              header: "Differences",
              cell: (v) => {
                const previous = previousOf(v.version);
                return (
                  <Link href={`/sharing/policies/${policy.id}/compare?from=${previous?.version ?? ""}&to=${v.version}`} className="text-brand underline underline-offset-4">
                    {previous ? `v${previous.version} → v${v.version}` : `View v${v.version}`}
                  </Link>
                );
              },
            },
          ]}
        />
      </section>
    </>
  );
}
