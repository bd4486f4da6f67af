import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { CreateApiClientForm, RevokeForm, RotateKeyForm } from "@/components/api-clients/key-forms";
import { Badge } from "@/components/ui/badge";
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
              <li key={c.id} className="rounded border border-line bg-white p-5">
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
                <table className="mt-3 w-full text-left text-sm">
                  <caption className="sr-only">Keys of {c.name}</caption>
                  <thead className="border-b border-line">
                    <tr>
                      <th scope="col" className="py-1 pr-3">Key prefix</th>
                      <th scope="col" className="py-1 pr-3">Created</th>
                      <th scope="col" className="py-1 pr-3">Last used</th>
                      <th scope="col" className="py-1 pr-3">State</th>
                      <th scope="col" className="py-1"><span className="sr-only">Actions</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.keys.map((k) => {
                      const state = k.revokedAt ? `Revoked ${when(k.revokedAt)}` : k.expiresAt && k.expiresAt <= now ? `Expired ${when(k.expiresAt)}` : k.expiresAt ? `Live until ${when(k.expiresAt)}` : "Live";
                      const live = !k.revokedAt && !(k.expiresAt && k.expiresAt <= now);
                      return (
                        <tr key={k.id} className="border-b border-line last:border-0 align-top">
                          <td className="py-2 pr-3 font-mono">mosaic_{k.prefix}_…</td>
                          <td className="py-2 pr-3">{when(k.createdAt)}</td>
                          <td className="py-2 pr-3">{when(k.lastUsedAt)}</td>
                          <td className="py-2 pr-3">{state}</td>
                          <td className="py-2">
                            {live && c.status === "active" && <RevokeForm action={revokeApiKeyAction.bind(null, c.id, k.id)} label="Revoke key" what={`key ${k.prefix}`} />}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
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
