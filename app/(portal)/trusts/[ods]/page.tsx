import type { Metadata } from "next";
import Link from "next/link";
import { cache } from "react";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getRequestContext, requireContext } from "@/lib/identity/request";
import { orNotFound } from "@/lib/pages";
import { getTrust } from "@/lib/trusts/queries";
import { modalityLabel, siteStatusLabel, trustStatusLabel } from "@/lib/labels";

// The title and the page read the same trust: once per request (React's cache lasts one request,
// and both calls get the same context object from the request's cached session).
const loadTrust = cache(getTrust);

type Params = { params: Promise<{ ods: string }>; searchParams: Promise<Record<string, string | undefined>> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  // The title names the trust only for callers who may see it; others get the 404's title.
  const ctx = await getRequestContext();
  if (!ctx) return {};
  const { ods } = await params;
  const trust = await loadTrust(ctx, ods).catch(() => null);
  return { title: trust ? `${trust.name} (${trust.odsCode})` : "Not found" };
}

const notices: Record<string, string> = {
  "created=trust": "Trust onboarded. Add its sites and imaging departments.",
  "saved=trust": "Trust saved.",
  "created=site": "Site added.",
  "saved=site": "Site saved.",
  "created=department": "Department added.",
  "saved=department": "Department saved.",
};

export default async function TrustPage({ params, searchParams }: Params) {
  const ctx = await requireContext();
  const { ods } = await params;
  const search = await searchParams;
  const trust = await orNotFound(loadTrust(ctx, ods));
  const notice = Object.entries(search).map(([k, v]) => notices[`${k}=${v}`]).find(Boolean);
  const base = `/trusts/${trust.odsCode}`;
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/trusts" className="text-brand underline">
          Trusts
        </Link>{" "}
        / {trust.odsCode}
      </nav>
      {notice && (
        <p role="status" className="mb-4 border-l-4 border-success bg-white p-3 font-semibold">
          {notice}
        </p>
      )}
      <PageHeader
        title={trust.name}
        description={
          <>
            ODS code {trust.odsCode} · <Badge tone={trust.status === "active" ? "success" : "warning"}>{trustStatusLabel(trust.status)}</Badge>
          </>
        }
        actions={
          <>
            <ButtonLink variant="secondary" href={`${base}/devices`}>
              DICOM devices
            </ButtonLink>
            {trust.canEditTrust && (
              <ButtonLink variant="secondary" href={`${base}/edit`}>
                Edit trust
              </ButtonLink>
            )}
            {trust.canEditSites && <ButtonLink href={`${base}/sites/new`}>Add site</ButtonLink>}
            {trust.canEditSites && trust.sites.length > 0 && (
              <ButtonLink variant="secondary" href={`${base}/departments/new`}>
                Add department
              </ButtonLink>
            )}
          </>
        }
      />
      <h2 className="mb-3 text-xl font-bold">Sites and imaging departments</h2>
      {trust.sites.length === 0 ? (
        <EmptyState title="No sites yet">
          {trust.canEditSites ? "Add the trust's hospitals, then their imaging departments." : "The trust's PACS manager adds its sites."}
        </EmptyState>
      ) : (
        <div className="flex flex-col gap-6">
          {trust.sites.map((site) => (
            <section key={site.id} aria-labelledby={`site-${site.id}`} className="rounded border border-line bg-white p-5">
              <div className="flex flex-wrap items-start justify-between gap-2">
                <div>
                  <h3 id={`site-${site.id}`} className="text-lg font-bold">
                    {site.name}
                  </h3>
                  <p className="text-sm text-muted">
                    {site.code} · {site.town} {site.postcode} · {siteStatusLabel(site.status)}
                  </p>
                </div>
                {trust.canEditSites && (
                  <Link href={`${base}/sites/${site.id}/edit`} className="text-brand underline underline-offset-4">
                    Edit site<span className="sr-only"> {site.name}</span>
                  </Link>
                )}
              </div>
              <div className="mt-3">
                <DataTable
                  caption={`Imaging departments of ${site.name}`}
                  rows={site.departments}
                  rowKey={(d) => d.id}
                  empty={<p className="text-muted">No imaging departments yet.</p>}
                  columns={[
                    { header: "Department", rowHeader: true, cell: (d) => d.name },
                    {
                      header: "Modalities",
                      cell: (d) => (
                        <span className="flex flex-wrap gap-1">
                          {d.modalities.map((m) => (
                            <Badge key={m}>
                              <abbr title={modalityLabel(m)}>{m}</abbr>
                            </Badge>
                          ))}
                        </span>
                      ),
                    },
                    { header: "Status", cell: (d) => siteStatusLabel(d.status) },
                    ...(trust.canEditSites
                      ? [
                          {
                            header: "Actions",
                            srOnlyHeader: true,
                            className: "text-right",
                            cell: (d: (typeof site.departments)[number]) => (
                              <Link href={`${base}/departments/${d.id}/edit`} className="text-brand underline underline-offset-4">
                                Edit<span className="sr-only"> {d.name}</span>
                              </Link>
                            ),
                          },
                        ]
                      : []),
                  ]}
                />
              </div>
            </section>
          ))}
        </div>
      )}
    </>
  );
}
