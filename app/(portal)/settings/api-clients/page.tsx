import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { CreateApiClientForm, RevokeForm, RotateKeyForm } from "@/components/api-clients/key-forms";
import { Badge } from "@/components/ui/badge";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { apiClientOwners, listApiClients } from "@/lib/api-clients/queries";
import { apiScopes } from "@/lib/vocabulary";
import { apiClientStatusLabel, apiScopeLabel, apiScopeLabels } from "@/lib/labels";
import { canAnywhere } from "@/lib/auth/context";
import { requireContext } from "@/lib/identity/request";
import { createApiClientAction, revokeApiClientAction, revokeApiKeyAction, rotateApiKeyAction } from "./actions";
import { formatDateTime } from "@/lib/calendar";

export const metadata: Metadata = { title: "API clients" };

const when = (d: Date | null) => formatDateTime(d) || "—";

export default async function ApiClientsPage() {
  const ctx = await requireContext();
  if (!canAnywhere(ctx, "api_clients.manage")) notFound();
  const [clients, owners] = await Promise.all([listApiClients(ctx), apiClientOwners(ctx)]);
  const now = new Date();
  const isExpired = (k: { expiresAt: Date | null }) => Boolean(k.expiresAt && k.expiresAt <= now);
  return (
    <>
      <PageHeader
        title="API clients"
        description="Machine clients of the consortium (the PACS, audit forwarders) and their keys. A key is shown once when it is made; Mosaic keeps only its hash. The machine API is described at /api/v1/openapi.json."
      />
      <section aria-labelledby="clients-heading" className="mb-10">
        <h2 id="clients-heading" className="mb-3 text-xl font-bold">
          Clients
        </h2>
        {clients.length === 0 ? (
          <EmptyState title="No API clients yet">Create one below to connect a PACS.</EmptyState>
        ) : (
          <ul className="flex flex-col gap-4">
            {clients.map((c) => (
              <li key={c.id} className="min-w-0 rounded border border-line bg-white p-5">
                <div className="flex flex-wrap items-start justify-between gap-2">
                  <div>
                    <h3 className="text-lg font-bold">{c.name}</h3>
                    <p className="text-sm text-muted">
                      {c.trust ? `${c.trust.name} (${c.trust.odsCode})` : "Whole consortium"} · created {when(c.createdAt)}
                    </p>
                    <p className="mt-1 flex flex-wrap gap-1">
                      {c.scopes.map((s) => (
                        <Badge key={s}>{apiScopeLabel(s)}</Badge>
                      ))}
                    </p>
                  </div>
                  <Badge tone={c.status === "active" ? "success" : "danger"}>{apiClientStatusLabel(c.status)}</Badge>
                </div>
                {c.revokeReason && <p className="mt-2">Revoked {when(c.revokedAt)}: {c.revokeReason}</p>}
                <div className="mt-3">
                  <DataTable
                    caption={`Keys of ${c.name}`}
                    rows={c.keys}
                    rowKey={(k) => k.id}
                    empty="No keys"
                    columns={[
                      { header: "Key prefix", rowHeader: true, className: "font-mono", cell: (k) => `mosaic_${k.prefix}_…` },
                      { header: "Created", cell: (k) => when(k.createdAt) },
                      { header: "Last used", cell: (k) => when(k.lastUsedAt) },
                      { header: "State", cell: (k) => (k.revokedAt ? `Revoked ${when(k.revokedAt)}` : isExpired(k) ? `Expired ${when(k.expiresAt)}` : k.expiresAt ? `Live until ${when(k.expiresAt)}` : "Live") },
                      {
                        header: "Actions",
                        srOnlyHeader: true,
                        cell: (k) =>
                          !k.revokedAt && !isExpired(k) && c.status === "active" && <RevokeForm action={revokeApiKeyAction.bind(null, c.id, k.id)} label="Revoke key" what={`key ${k.prefix}`} />,
                      },
                    ]}
                  />
                </div>
                {c.status === "active" && (
                  <div className="mt-4 flex flex-col gap-4 border-t border-line pt-4">
                    <RotateKeyForm action={rotateApiKeyAction.bind(null, c.id)} clientName={c.name} />
                    <RevokeForm action={revokeApiClientAction.bind(null, c.id)} label="Revoke client" what={c.name} />
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="new-client-heading">
        <h2 id="new-client-heading" className="mb-3 text-xl font-bold">
          New client
        </h2>
        <CreateApiClientForm action={createApiClientAction} owners={owners} scopes={apiScopes.map((s) => ({ value: s, label: apiScopeLabels[s] }))} />
      </section>
    </>
  );
}
