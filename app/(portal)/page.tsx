import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireContext } from "@/lib/auth/request";
import { getOverview } from "@/lib/trusts/overview";
import { describeCaller } from "@/lib/identity/caller";
import { getQuotaWarnings } from "@/lib/capacity/queries";
import { QuotaWarnings } from "@/components/capacity/quota-warnings";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const ctx = await requireContext();
  const [overview, caller, warnings] = await Promise.all([getOverview(ctx), describeCaller(ctx), getQuotaWarnings(ctx)]);
  return (
    <>
      <PageHeader
        title={overview.consortiumName}
        description={`Contracted for ${overview.contractedAnnualExams.toLocaleString("en-GB")} imaging exams a year across the consortium.`}
      />
      <QuotaWarnings warnings={warnings} />
      <section aria-labelledby="your-roles" className="mb-8">
        <h2 id="your-roles" className="mb-2 text-xl font-bold">
          Your roles
        </h2>
        {caller.roles.length === 0 ? (
          <p>You hold no portal role. Ask your trust&apos;s PACS manager if you need one.</p>
        ) : (
          <ul className="list-disc pl-6">
            {caller.roles.map((r) => (
              <li key={`${r.role}-${r.scope}`}>
                {r.label} · {r.scope}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="trusts-heading">
        <h2 id="trusts-heading" className="mb-3 text-xl font-bold">
          {overview.trusts.length === 1 ? "Your trust" : "Trusts"}
        </h2>
        {overview.trusts.length === 0 ? (
          <EmptyState title="No trusts to show">Your roles do not cover any trust.</EmptyState>
        ) : (
          <ul className="grid gap-4 md:grid-cols-2">
            {overview.trusts.map((t) => (
              <li key={t.id} className="rounded border border-line bg-white p-5">
                <h3 className="text-lg font-bold">
                  <Link href={`/trusts/${t.odsCode}`} className="text-brand underline underline-offset-4">
                    {t.name}
                  </Link>
                </h3>
                <p className="text-sm text-muted">
                  ODS {t.odsCode} · {t.status}
                </p>
                <p className="mt-2">
                  {t.siteCount} {t.siteCount === 1 ? "site" : "sites"}, {t.departmentCount} imaging{" "}
                  {t.departmentCount === 1 ? "department" : "departments"}
                </p>
                {t.modalities.length > 0 && <p className="mt-1 text-sm text-muted">Modalities: {t.modalities.join(", ")}</p>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
