import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireContext } from "@/lib/identity/request";
import { getOverview } from "@/lib/trusts/overview";
import { describeCaller } from "@/lib/identity/caller";
import { getQuotaWarnings } from "@/lib/capacity/queries";
import { QuotaWarnings } from "@/components/capacity/quota-warnings";
import { plural } from "@/lib/format";
import { trustStatusLabel } from "@/lib/labels";
import { navFor } from "@/lib/nav";
import { getIgWorklist } from "@/lib/home/worklist";
import { IgWorklist } from "@/components/audit/ig-worklist";
import { UnattributedNotice } from "@/components/pacs/unattributed-notice";
import { countUnattributed } from "@/lib/pacs/queries";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const ctx = await requireContext();
  const [overview, caller, warnings, worklist, unattributed] = await Promise.all([
    getOverview(ctx),
    describeCaller(ctx),
    getQuotaWarnings(ctx),
    getIgWorklist(ctx),
    countUnattributed(ctx),
  ]);
  // Clinical roles (radiologist, clinician…) grant no portal permission: they appear only in
  // access decisions. Such a person gets an account of what the portal is, not an empty list.
  const hasPortalWork = navFor(ctx).some((item) => item.permission !== null);
  return (
    <>
      <PageHeader
        title={overview.consortiumName}
        description={`Contracted for ${overview.contractedAnnualExams.toLocaleString("en-GB")} imaging exams a year across the consortium.`}
      />
      <QuotaWarnings warnings={warnings} />
      <UnattributedNotice count={unattributed} />
      {/* An IG officer's home is their work list; other roles' homes are unchanged. */}
      {worklist && <IgWorklist worklist={worklist} />}
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
      {!hasPortalWork ? (
        <section aria-labelledby="portal-heading" className="max-w-3xl rounded border border-line bg-white p-5">
          <h2 id="portal-heading" className="mb-2 text-xl font-bold">
            What this portal is for
          </h2>
          <p className="mb-2">
            Mosaic&apos;s portal is where the consortium runs its shared PACS: PACS managers look after trusts, sites and users,
            information governance officers set the sharing policies and review the audit trail, and chief information officers
            watch throughput and storage.
          </p>
          <p className="mb-2">
            {caller.roles.length === 0
              ? "You hold no role yet, so there is nothing here for you to do."
              : "Your roles are clinical: you view images on your PACS workstation, not here. The consortium's sharing policies decide which other trusts' images you may open, and every access is recorded in the audit trail."}
          </p>
          <p>
            If you need to manage users, sharing or the audit trail, ask your trust&apos;s PACS manager or information governance
            officer for a portal role. You can keep your own sign-in secure from{" "}
            <Link href="/account/mfa" className="text-brand underline">
              multi-factor sign-in
            </Link>
            .
          </p>
        </section>
      ) : (
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
                    ODS {t.odsCode} · {trustStatusLabel(t.status)}
                  </p>
                  <p className="mt-2">
                    {plural(t.siteCount, "site")}, {plural(t.departmentCount, "imaging department")}
                  </p>
                  {t.modalities.length > 0 && <p className="mt-1 text-sm text-muted">Modalities: {t.modalities.join(", ")}</p>}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </>
  );
}
