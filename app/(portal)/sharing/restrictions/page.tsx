import type { Metadata } from "next";
import { dateOf } from "@/components/sharing/labels";
import { RestrictionForm } from "@/components/sharing/restriction-form";
import { SharingTabs } from "@/components/sharing/sharing-tabs";
import { ReasonForm } from "@/components/sharing/version-actions";
import { DataTable, pageNumber, pageRows } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { requireContext } from "@/lib/identity/request";
import { orNotFound } from "@/lib/pages";
import { formatNhsNumber } from "@/lib/nhs-number";
import { listRestrictions, sharingFormOptions } from "@/lib/sharing/queries";
import { restrictionReasons, restrictionReasonLabels } from "@/lib/vocabulary";
import { restrictionReasonLabel } from "@/lib/labels";
import { liftRestrictionAction, restrictPatientAction } from "../actions";

export const metadata: Metadata = { title: "Patient restrictions" };

const savedText: Record<string, string> = { restricted: "The patient is restricted.", lifted: "The restriction was lifted." };

export default async function RestrictionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireContext();
  const { saved, page } = await searchParams;
  const list = await orNotFound(listRestrictions(ctx));
  // The list grows with every restriction: a page sends 50 rows, not all of them.
  const shown = pageRows(list, pageNumber(page), 50, "Pages of restricted patients", (n) => `/sharing/restrictions?page=${n}`);
  const { mine } = await sharingFormOptions(ctx, "restrictions.write");
  return (
    <>
      <PageHeader title="Patient restrictions" description="A restricted patient's images are reached from other trusts only by break-glass, and every such access is flagged." />
      <SharingTabs current="/sharing/restrictions" />
      {typeof saved === "string" && savedText[saved] && (
        <p role="status" className="mb-4 border-l-4 border-success bg-white p-3">
          {savedText[saved]}
        </p>
      )}
      <div className="mb-8">
        <DataTable
          caption={`Restricted patients (${list.length})`}
          rows={shown.rows}
          rowKey={(r) => r.id}
          paging={shown.paging}
          empty="No patient is restricted"
          columns={[
            { header: "NHS number", rowHeader: true, className: "font-mono", cell: (r) => formatNhsNumber(r.nhsNumber) },
            { header: "Trust", className: "font-mono", cell: (r) => r.sourceOds },
            { header: "Reason", cell: (r) => restrictionReasonLabel(r.reason) },
            { header: "Note", cell: (r) => r.note || "—" },
            { header: "Restricted", cell: (r) => `${dateOf(r.createdAt)} by ${r.createdByName ?? "—"}` },
            {
              header: "Lift",
              cell: (r) =>
                r.canLift ? (
                  <details>
                    <summary className="cursor-pointer text-brand underline">Lift restriction of {formatNhsNumber(r.nhsNumber)}</summary>
                    <div className="mt-2">
                      <ReasonForm action={liftRestrictionAction.bind(null, r.id)} label="Lift restriction" reasonLabel="Reason for lifting" idSuffix={r.id} />
                    </div>
                  </details>
                ) : (
                  "—"
                ),
            },
          ]}
        />
      </div>
      {mine.length > 0 && (
        <section aria-labelledby="restrict" className="mt-8 rounded border border-line bg-white p-4">
          <h2 id="restrict" className="mb-3 text-xl font-semibold">
            Restrict a patient
          </h2>
          <RestrictionForm
            action={restrictPatientAction}
            trusts={mine.map((t) => ({ value: t.odsCode, label: `${t.name} (${t.odsCode})` }))}
            reasons={restrictionReasons.map((r) => ({ value: r, label: restrictionReasonLabels[r] }))}
          />
        </section>
      )}
    </>
  );
}
