import type { Metadata } from "next";
import Link from "next/link";
import { dateOf } from "@/components/sharing/labels";
import { SharingTabs } from "@/components/sharing/sharing-tabs";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireContext } from "@/lib/identity/request";
import { orNotFound } from "@/lib/pages";
import { approvalQueue } from "@/lib/sharing/queries";

export const metadata: Metadata = { title: "Policy approvals" };

export default async function ApprovalsPage() {
  const ctx = await requireContext();
  const queue = await orNotFound(approvalQueue(ctx));
  return (
    <>
      <PageHeader title="Approvals" description="Policy versions awaiting a second IG officer of their source trust." />
      <SharingTabs current="/sharing/approvals" />
      <DataTable
        caption={`Versions awaiting approval (${queue.length})`}
        rows={queue}
        rowKey={(q) => q.id}
        empty={<EmptyState title="Nothing awaits your approval">Versions sent for approval at the trusts where you approve policies appear here.</EmptyState>}
        columns={[
          { header: "Policy", rowHeader: true, cell: (q) => q.policyName },
          { header: "Source trust", className: "font-mono", cell: (q) => q.sourceOds },
          { header: "Version", cell: (q) => `v${q.version}` },
          { header: "Written by", cell: (q) => q.authorName ?? "—" },
          { header: "Sent", cell: (q) => dateOf(q.submittedAt) },
          {
            header: "Action",
            cell: (q) =>
              q.isOwn ? (
                <span className="text-muted">Yours: another officer approves it</span>
              ) : (
                <Link href={`/sharing/policies/${q.policyId}/compare?from=${q.version - 1 > 0 ? q.version - 1 : ""}&to=${q.version}`} className="text-brand underline underline-offset-4">
                  Review {q.policyName} v{q.version}
                </Link>
              ),
          },
        ]}
      />
    </>
  );
}
