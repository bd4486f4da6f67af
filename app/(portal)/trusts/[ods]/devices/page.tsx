import type { Metadata } from "next";
import Link from "next/link";
import { cache } from "react";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { DataTable, pageNumber, pageRows } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterInput, FilterSelect } from "@/components/ui/filter-fields";
import { PageHeader } from "@/components/ui/page-header";
import { deviceFilter, filterDevices } from "@/lib/devices/filter";
import { listDevices } from "@/lib/devices/queries";
import { getRequestContext, requireContext } from "@/lib/identity/request";
import { modalityLabel, modalityLabels } from "@/lib/labels";
import { orNotFound, pageQuery } from "@/lib/pages";
import { deviceKindLabels } from "@/lib/vocabulary";

const loadDevices = cache(listDevices);

type Params = { params: Promise<{ ods: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  // The title names the trust only for callers who may see it; others get the 404's title.
  const ctx = await getRequestContext();
  if (!ctx) return {};
  const { ods } = await params;
  const found = await loadDevices(ctx, ods).catch(() => null);
  return { title: found ? `DICOM devices of ${found.trust.odsCode}` : "Not found" };
}

const notices: Record<string, string> = {
  "created=device": "Device registered.",
  "saved=device": "Device saved.",
  "retired=device": "Device retired.",
};

const pageSize = 50;

export default async function DevicesPage({ params, searchParams }: Params) {
  const ctx = await requireContext();
  const { ods } = await params;
  const query = await pageQuery(searchParams);
  const { trust, devices, canEdit } = await orNotFound(loadDevices(ctx, ods));
  const filter = deviceFilter.parse(query);
  const shown = filterDevices(devices, filter);
  const notice = Object.entries(query).map(([k, v]) => notices[`${k}=${v}`]).find(Boolean);
  const base = `/trusts/${trust.odsCode}`;
  const filterQuery = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => Boolean(e[1])));
  const hrefFor = (page: number) => `${base}/devices?${new URLSearchParams([...filterQuery, ["page", String(page)]])}`;
  const page = pageRows(shown, pageNumber(query.page), pageSize, "Pages of devices", hrefFor);
  const siteCodes = [...new Map(devices.map((d) => [d.siteCode, d.siteName])).entries()];
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/trusts" className="text-brand underline">
          Trusts
        </Link>{" "}
        /{" "}
        <Link href={base} className="text-brand underline">
          {trust.odsCode}
        </Link>{" "}
        / DICOM devices
      </nav>
      {notice && (
        <p role="status" className="mb-4 border-l-4 border-success bg-white p-3 font-semibold">
          {notice}
        </p>
      )}
      <PageHeader
        title="DICOM devices"
        description={`${trust.name}: the scanners, workstations and archives that store into or read from the archive. Studies are attributed to a site by the AE title of the device that stored them.`}
        actions={canEdit && <ButtonLink href={`${base}/devices/new`}>Register a device</ButtonLink>}
      />
      <form role="search" aria-label="Filter devices" className="mb-4 flex flex-wrap items-end gap-4 no-print">
        <FilterInput name="q" label="AE title, host or description" value={filter.q} />
        <FilterSelect name="site" label="Site" value={filter.site} options={siteCodes.map(([code, name]) => ({ value: code, label: `${name} (${code})` }))} />
        <FilterSelect name="kind" label="Kind" value={filter.kind} options={Object.entries(deviceKindLabels).map(([value, label]) => ({ value, label }))} />
        <FilterSelect name="modality" label="Modality" value={filter.modality} options={Object.entries(modalityLabels).map(([value, label]) => ({ value, label: `${value} · ${label}` }))} />
        <FilterSelect
          name="status"
          label="Status"
          value={filter.status}
          options={[
            { value: "active", label: "In service" },
            { value: "retired", label: "Retired" },
          ]}
        />
        <button type="submit" className="rounded bg-brand px-4 py-2 font-semibold text-white">
          Filter
        </button>
      </form>
      <DataTable
        caption={`DICOM devices of ${trust.odsCode} (${shown.length} of ${devices.length})`}
        rows={page.rows}
        rowKey={(d) => d.id}
        paging={page.paging}
        csvHref={`${base}/devices/export.csv?${filterQuery}`}
        empty={
          <EmptyState title={devices.length === 0 ? "No devices yet" : "No device matches these filters"}>
            {devices.length === 0 ? (
              canEdit ? "Register the trust's scanners and workstations so that their studies are attributed to the right site." : "The trust's PACS manager registers its devices."
            ) : (
              <Link href={`${base}/devices`} className="text-brand underline">
                Clear the filters
              </Link>
            )}
          </EmptyState>
        }
        columns={[
          { header: "AE title", className: "font-mono", cell: (d) => d.aeTitle },
          { header: "Kind", cell: (d) => deviceKindLabels[d.kind as keyof typeof deviceKindLabels] ?? d.kind },
          { header: "Modality", cell: (d) => (d.modality ? <abbr title={modalityLabel(d.modality)}>{d.modality}</abbr> : "—") },
          { header: "Site", cell: (d) => `${d.siteName} (${d.siteCode})` },
          { header: "Department", cell: (d) => d.departmentName ?? "—" },
          { header: "Host", className: "font-mono", cell: (d) => d.host ?? "—" },
          { header: "Description", cell: (d) => d.description || "—" },
          { header: "Status", cell: (d) => <Badge tone={d.status === "active" ? "success" : "neutral"}>{d.status === "active" ? "In service" : "Retired"}</Badge> },
          ...(canEdit
            ? [
                {
                  header: "Actions",
                  srOnlyHeader: true,
                  cell: (d: (typeof page.rows)[number]) =>
                    d.status === "active" ? (
                      <span className="flex gap-3">
                        <Link href={`${base}/devices/${d.id}/edit`} className="text-brand underline underline-offset-4">
                          Edit<span className="sr-only"> {d.aeTitle}</span>
                        </Link>
                        <Link href={`${base}/devices/${d.id}/retire`} className="text-brand underline underline-offset-4">
                          Retire<span className="sr-only"> {d.aeTitle}</span>
                        </Link>
                      </span>
                    ) : null,
                },
              ]
            : []),
        ]}
      />
    </>
  );
}
