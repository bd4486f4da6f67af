import type { Metadata } from "next";
import Link from "next/link";
import { dateOf } from "@/components/sharing/labels";
import { SharingTabs } from "@/components/sharing/sharing-tabs";
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
      {queue.length === 0 ? (
        <EmptyState title="Nothing awaits your approval">Versions sent for approval at the trusts where you approve policies appear here.</EmptyState>
      ) : (
        <div className="overflow-x-auto rounded border border-line bg-white">
          <table className="w-full text-left">
            <caption className="sr-only">Versions awaiting approval ({queue.length})</caption>
            <thead className="border-b border-line bg-canvas">
              <tr>
                <th scope="col" className="px-4 py-2">Policy</th>
                <th scope="col" className="px-4 py-2">Source trust</th>
                <th scope="col" className="px-4 py-2">Version</th>
                <th scope="col" className="px-4 py-2">Written by</th>
                <th scope="col" className="px-4 py-2">Sent</th>
                <th scope="col" className="px-4 py-2">Action</th>
              </tr>
            </thead>
            <tbody>
              {queue.map((q) => (
                <tr key={q.id} className="border-b border-line last:border-0">
                  <td className="px-4 py-2">{q.policyName}</td>
                  <td className="px-4 py-2 font-mono">{q.sourceOds}</td>
                  <td className="px-4 py-2">v{q.version}</td>
                  <td className="px-4 py-2">{q.authorName ?? "—"}</td>
                  <td className="px-4 py-2">{dateOf(q.submittedAt)}</td>
                  <td className="px-4 py-2">
                    {q.isOwn ? (
                      <span className="text-muted">Yours: another officer approves it</span>
                    ) : (
                      <Link href={`/sharing/policies/${q.policyId}/compare?from=${q.version - 1 > 0 ? q.version - 1 : ""}&to=${q.version}`} className="text-brand underline underline-offset-4">
                        Review {q.policyName} v{q.version}
                      </Link>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
