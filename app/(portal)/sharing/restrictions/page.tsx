import type { Metadata } from "next";
import { dateOf } from "@/components/sharing/labels";
import { RestrictionForm } from "@/components/sharing/restriction-form";
import { SharingTabs } from "@/components/sharing/sharing-tabs";
import { ReasonForm } from "@/components/sharing/version-actions";
import { EmptyState } from "@/components/ui/empty-state";
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
  const { saved } = await searchParams;
  const list = await orNotFound(listRestrictions(ctx));
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
      {list.length === 0 ? (
        <EmptyState title="No patient is restricted" />
      ) : (
        <div className="mb-8 overflow-x-auto rounded border border-line bg-white">
          <table className="w-full text-left">
            <caption className="sr-only">Restricted patients ({list.length})</caption>
            <thead className="border-b border-line bg-canvas">
              <tr>
                <th scope="col" className="px-4 py-2">NHS number</th>
                <th scope="col" className="px-4 py-2">Trust</th>
                <th scope="col" className="px-4 py-2">Reason</th>
                <th scope="col" className="px-4 py-2">Note</th>
                <th scope="col" className="px-4 py-2">Restricted</th>
                <th scope="col" className="px-4 py-2">Lift</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id} className="border-b border-line align-top last:border-0">
                  <th scope="row" className="px-4 py-2 font-mono font-normal">
                    {formatNhsNumber(r.nhsNumber)}
                  </th>
                  <td className="px-4 py-2 font-mono">{r.sourceOds}</td>
                  <td className="px-4 py-2">{restrictionReasonLabel(r.reason)}</td>
                  <td className="px-4 py-2">{r.note || "—"}</td>
                  <td className="px-4 py-2">
                    {dateOf(r.createdAt)} by {r.createdByName ?? "—"}
                  </td>
                  <td className="px-4 py-2">
                    {r.canLift ? (
                      <details>
                        <summary className="cursor-pointer text-brand underline">Lift restriction of {formatNhsNumber(r.nhsNumber)}</summary>
                        <div className="mt-2">
                          <ReasonForm action={liftRestrictionAction.bind(null, r.id)} label="Lift restriction" reasonLabel="Reason for lifting" idSuffix={r.id} />
                        </div>
                      </details>
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
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
