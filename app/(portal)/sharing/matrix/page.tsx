import { formatDate, londonDayOf } from "@/lib/calendar";
import type { Metadata } from "next";
import Link from "next/link";
import { plural } from "@/lib/format";
import { purposeLabel } from "@/lib/labels";
import { SharingTabs } from "@/components/sharing/sharing-tabs";
import { DownloadLink } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { PageHeader } from "@/components/ui/page-header";
import { requireContext } from "@/lib/identity/request";
import { orNotFound, pageQuery } from "@/lib/pages";
import { matrixFilter } from "@/lib/sharing/filter";
import { sharingMatrix } from "@/lib/sharing/queries";

export const metadata: Metadata = { title: "Sharing matrix" };

export default async function MatrixPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireContext();
  const filter = matrixFilter.parse(await pageQuery(searchParams));
  const at = filter.at ? new Date(`${filter.at}T12:00:00Z`) : new Date();
  const { trusts, cells } = await orNotFound(sharingMatrix(ctx, at));
  return (
    <>
      <PageHeader
        title="Sharing matrix"
        description="Which trust's staff may view whose imaging, and for which purposes, under the policies in effect. Rows are the trusts that own the images; columns the trusts whose staff ask. It shows the policies you can read: your trusts' own, and those that share with your trusts."
        actions={
          <DownloadLink href={`/sharing/matrix/export.csv${filter.at ? `?at=${filter.at}` : ""}`}>
            Download CSV
          </DownloadLink>
        }
      />
      <SharingTabs current="/sharing/matrix" />
      <form aria-label="Matrix date" className="mb-4 flex flex-wrap items-end gap-4 no-print">
        <div className="flex flex-col gap-1">
          <label htmlFor="at" className="font-semibold">
            In effect on
          </label>
          <input id="at" name="at" type="date" defaultValue={filter.at ?? londonDayOf(at)} className={inputClass} />
        </div>
        <button type="submit" className="rounded bg-brand px-4 py-2 font-semibold text-white">
          Show
        </button>
      </form>
      <div className="overflow-x-auto rounded border border-line bg-white">
        <table className="w-full text-left" data-testid="sharing-matrix">
          <caption className="sr-only">Sharing between trusts on {formatDate(at)}: rows own the images, columns ask for them</caption>
          <thead className="border-b border-line bg-canvas">
            <tr>
              <th scope="col" className="px-4 py-2">
                Images of ↓ / viewed by →
              </th>
              {trusts.map((t) => (
                <th key={t.id} scope="col" className="px-4 py-2 font-mono" title={t.name}>
                  {t.odsCode}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {trusts.map((source) => (
              <tr key={source.id} className="border-b border-line align-top last:border-0">
                <th scope="row" className="px-4 py-2">
                  <span className="font-mono">{source.odsCode}</span> <span className="block text-sm font-normal text-muted">{source.name}</span>
                </th>
                {trusts.map((target) => {
                  if (source.id === target.id) {
                    return (
                      <td key={target.id} className="bg-canvas px-4 py-2 text-sm text-muted">
                        Own trust
                      </td>
                    );
                  }
                  const cell = cells[`${source.odsCode}|${target.odsCode}`];
                  return (
                    <td key={target.id} className="px-4 py-2 text-sm" data-cell={`${source.odsCode}-${target.odsCode}`}>
                      {!cell ? (
                        <span className="text-muted">No sharing</span>
                      ) : (
                        <>
                          <span className="block">{cell.purposes.length ? cell.purposes.map(purposeLabel).join(", ") : "Denied by rule"}</span>
                          {cell.breakGlass && <span className="block text-muted">Break-glass allowed</span>}
                          {cell.hasDeny && cell.purposes.length > 0 && <span className="block text-muted">Some access denied by rule</span>}
                          <Link href={`/sharing?source=${source.odsCode}&target=${target.odsCode}`} className="text-brand underline underline-offset-4">
                            {plural(cell.policies.length, "policy", "policies")}
                            <span className="sr-only">
                              {" "}
                              sharing {source.odsCode} images with {target.odsCode}
                            </span>
                          </Link>
                        </>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
