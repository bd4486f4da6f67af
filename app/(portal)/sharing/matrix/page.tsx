import { formatDate, londonDayOf } from "@/lib/calendar";
import type { Metadata } from "next";
import Link from "next/link";
import { plural } from "@/lib/format";
import { purposeLabel } from "@/lib/labels";
import { SharingTabs } from "@/components/sharing/sharing-tabs";
import { DataTable } from "@/components/ui/data-table";
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
      <DataTable
        caption={`Sharing between trusts on ${formatDate(at)}: rows own the images, columns ask for them`}
        rows={trusts}
        rowKey={(t) => t.id}
        csvHref={`/sharing/matrix/export.csv${filter.at ? `?at=${filter.at}` : ""}`}
        empty="No trust to show"
        columns={[
          {
            header: "Images of ↓ / viewed by →",
            rowHeader: true,
            cell: (source) => (
              <>
                <span className="font-mono font-semibold">{source.odsCode}</span> <span className="block text-sm text-muted">{source.name}</span>
              </>
            ),
          },
          ...trusts.map((target) => ({
            header: (
              <abbr title={target.name} className="font-mono">
                {target.odsCode}
              </abbr>
            ),
            className: "text-sm",
            cell: (source: (typeof trusts)[number]) => {
              if (source.id === target.id) return <span className="text-muted">Own trust</span>;
              const cell = cells[`${source.odsCode}|${target.odsCode}`];
              return (
                <div data-cell={`${source.odsCode}-${target.odsCode}`}>
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
                </div>
              );
            },
          })),
        ]}
      />
    </>
  );
}
