import type { Metadata } from "next";
import Link from "next/link";
import { cache } from "react";
import { Badge } from "@/components/ui/badge";
import { Button, ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { GrantRoleForm } from "@/components/users/grant-role-form";
import { ResetLinkForm } from "@/components/users/reset-link-form";
import { statusTone } from "@/components/users/status";
import { actionLabel, roleLabel, userStatusLabel } from "@/lib/labels";
import { getRequestContext, requireContext } from "@/lib/identity/request";
import { formatDate, formatDateTime, formatDay, lastLondonDayOf, londonToday } from "@/lib/calendar";
import { orNotFound } from "@/lib/pages";
import { getUser } from "@/lib/users/queries";
import { grantRoleAction, markLeaverAction, reactivateUserAction, resetLinkAction, resetMfaAction, revokeRoleAction, suspendUserAction, unlockUserAction } from "../actions";

// The title and the page read the same person: once per request (React's cache lasts one request,
// and both calls get the same context object from the request's cached session).
const loadUser = cache(getUser);

type Params = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | undefined>> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  // The title names the person only for callers who may see them; others get the 404's title.
  const ctx = await getRequestContext();
  if (!ctx) return {};
  const { id } = await params;
  const user = await loadUser(ctx, id).catch(() => null);
  return { title: user ? user.name : "Not found" };
}

const notices: Record<string, string> = {
  saved: "Details saved.",
  granted: "Role granted.",
  revoked: "Role ended.",
  suspended: "Account suspended: any open session has ended.",
  reactivated: "Account reactivated.",
  leaver: "Marked as leaver: every role and session has ended.",
  unlocked: "Lock lifted.",
  "mfa-reset": "Second factor cleared: they set it up again at their next sign-in.",
};

/** A short account of an audit event's details for the history table. */
function describe(details: Record<string, unknown> | null): string {
  if (!details) return "";
  const parts: string[] = [];
  const before = details.before as Record<string, unknown> | undefined;
  const after = details.after as Record<string, unknown> | undefined;
  if (after && typeof after.role === "string") {
    parts.push(`${roleLabel(after.role)}${after.validUntil ? ` until ${lastLondonDayOf(new Date(String(after.validUntil)))}` : ""}${after.jobRoleCode ? ` (${after.jobRoleCode})` : ""}`);
  } else if (typeof details.role === "string") {
    parts.push(roleLabel(details.role));
  } else if (before && after) {
    for (const key of Object.keys(after)) parts.push(`${key}: ${JSON.stringify(before[key] ?? null)} → ${JSON.stringify(after[key] ?? null)}`);
  }
  if (typeof details.reason === "string") parts.push(`reason: ${details.reason.replace(/_/g, " ")}`);
  if (typeof details.purpose === "string") parts.push(details.purpose);
  return parts.join("; ");
}

export default async function UserPage({ params, searchParams }: Params) {
  const ctx = await requireContext();
  const { id } = await params;
  const search = await searchParams;
  const user = await orNotFound(loadUser(ctx, id));
  const notice = search.done ? notices[search.done] : undefined;
  const today = londonToday();
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/users" className="text-brand underline">
          Users
        </Link>{" "}
        / {user.name}
      </nav>
      {notice && (
        <p role="status" className="mb-4 border-l-4 border-success bg-white p-3 font-semibold">
          {notice}
        </p>
      )}
      {search.failed && (
        <div role="alert" className="mb-4 border-l-4 border-danger bg-white p-3">
          <p className="font-semibold text-danger">Nothing was changed</p>
          <p>{search.failed.slice(0, 300)}</p>
        </div>
      )}
      <PageHeader
        title={user.name}
        description={
          <>
            {user.email} · <Badge tone={statusTone(user.status)}>{userStatusLabel(user.status)}</Badge>
            {user.isLocked && (
              <>
                {" "}
                <Badge tone="danger">locked until {formatDateTime(user.lockedUntil)}</Badge>
              </>
            )}
          </>
        }
        actions={
          user.canManage ? (
            <ButtonLink variant="secondary" href={`/users/${user.id}/edit`}>
              Edit details
            </ButtonLink>
          ) : undefined
        }
      />

      <dl className="mb-8 grid max-w-2xl grid-cols-[max-content_1fr] gap-x-6 gap-y-2">
        <dt className="font-semibold">Home trust</dt>
        <dd>{user.homeTrust ? `${user.homeTrust.name} (${user.homeTrust.odsCode})` : "None (consortium staff)"}</dd>
        <dt className="font-semibold">Last sign-in</dt>
        <dd>{user.lastSignInAt ? formatDateTime(user.lastSignInAt) : "Never"}</dd>
        <dt className="font-semibold">Password</dt>
        <dd>{user.hasPassword ? "Set" : "Not set"}</dd>
        <dt className="font-semibold">Multi-factor sign-in</dt>
        <dd>{user.hasMfa ? "Set up" : "Not set up"}</dd>
        <dt className="font-semibold">Account created</dt>
        <dd>{formatDate(user.createdAt)}</dd>
      </dl>

      <section aria-labelledby="roles" className="mb-8">
        <h2 id="roles" className="mb-3 text-xl font-bold">
          Roles at every trust
        </h2>
        {user.roles.length === 0 ? (
          <EmptyState title="No roles" />
        ) : (
          <div className="overflow-x-auto rounded border border-line bg-white">
            <table className="w-full text-left">
              <caption className="sr-only">Role assignments of {user.name}, latest first</caption>
              <thead className="border-b border-line bg-canvas">
                <tr>
                  <th scope="col" className="px-4 py-2">Role</th>
                  <th scope="col" className="px-4 py-2">Where</th>
                  <th scope="col" className="px-4 py-2">First day</th>
                  <th scope="col" className="px-4 py-2">Last day</th>
                  <th scope="col" className="px-4 py-2">State</th>
                  <th scope="col" className="px-4 py-2">Granted by</th>
                  <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {user.roles.map((r) => (
                  <tr key={r.id} className="border-b border-line last:border-0 align-top">
                    <td className="px-4 py-2">
                      {r.label}
                      {r.jobRole && <div className="text-sm text-muted">{r.jobRole}</div>}
                    </td>
                    <td className="px-4 py-2">
                      {r.trust ? <span className="font-mono">{r.trust.odsCode}</span> : "Whole consortium"}
                      {r.department && <div className="text-sm text-muted">{r.department}</div>}
                    </td>
                    <td className="px-4 py-2">{formatDate(r.validFrom)}</td>
                    <td className="px-4 py-2">{r.validUntil ? formatDay(lastLondonDayOf(r.validUntil)) : "Open-ended"}</td>
                    <td className="px-4 py-2">
                      <Badge tone={r.state === "in force" ? "success" : r.state === "starts later" ? "warning" : "neutral"}>{r.state}</Badge>
                      {r.revokedAt && <div className="text-sm text-muted">{formatDate(r.revokedAt)}</div>}
                    </td>
                    <td className="px-4 py-2 text-sm">{r.grantedBy ?? ""}</td>
                    <td className="px-4 py-2 text-right">
                      {r.canRevoke && (
                        <form action={revokeRoleAction.bind(null, user.id, r.id)}>
                          <Button type="submit" variant="quiet">
                            End now<span className="sr-only"> the role {r.label} at {r.trust?.odsCode ?? "the consortium"}</span>
                          </Button>
                        </form>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {user.grantOptions.length > 0 && user.status !== "left" && !user.isSelf && (
        <section aria-labelledby="grant" className="mb-8">
          <details className="rounded border border-line bg-white p-4">
            <summary className="cursor-pointer text-xl font-bold" id="grant">
              Grant a role
            </summary>
            <div className="mt-4">
              <GrantRoleForm action={grantRoleAction} options={user.grantOptions} userId={user.id} today={today} />
            </div>
          </details>
        </section>
      )}

      {user.canManage && (
        <section aria-labelledby="account" className="mb-8">
          <h2 id="account" className="mb-3 text-xl font-bold">
            Account
          </h2>
          <div className="flex flex-col gap-4 rounded border border-line bg-white p-4">
            {user.status === "active" && <ResetLinkForm action={resetLinkAction.bind(null, user.id)} />}
            <div className="flex flex-wrap gap-3">
              {user.isLocked && (
                <form action={unlockUserAction.bind(null, user.id)}>
                  <Button type="submit" variant="secondary">
                    Lift the lock
                  </Button>
                </form>
              )}
              {user.hasMfa && (
                <form action={resetMfaAction.bind(null, user.id)}>
                  <Button type="submit" variant="secondary">
                    Reset multi-factor sign-in
                  </Button>
                </form>
              )}
              {user.status === "active" && (
                <form action={suspendUserAction.bind(null, user.id)}>
                  <Button type="submit" variant="secondary">
                    Suspend
                  </Button>
                </form>
              )}
              {user.status !== "active" && (
                <form action={reactivateUserAction.bind(null, user.id)}>
                  <Button type="submit" variant="secondary">
                    Reactivate
                  </Button>
                </form>
              )}
            </div>
            {user.status !== "left" && (
              <details>
                <summary className="cursor-pointer font-semibold text-danger">Mark as leaver…</summary>
                <form action={markLeaverAction.bind(null, user.id)} className="mt-3 flex flex-col gap-3">
                  <p>
                    This ends every role {user.name} holds at every trust, and every session, now. The record stays. You can reactivate the account later, but
                    roles must be granted again.
                  </p>
                  <div>
                    <Button type="submit" className="bg-danger">
                      Mark {user.name} as a leaver
                    </Button>
                  </div>
                </form>
              </details>
            )}
          </div>
        </section>
      )}

      <section aria-labelledby="history">
        <h2 id="history" className="mb-3 text-xl font-bold">
          History of changes
        </h2>
        {user.history.length === 0 ? (
          <EmptyState title="No changes recorded" />
        ) : (
          <div className="overflow-x-auto rounded border border-line bg-white">
            <table className="w-full text-left">
              <caption className="sr-only">Changes to {user.name} from the audit trail, latest first</caption>
              <thead className="border-b border-line bg-canvas">
                <tr>
                  <th scope="col" className="px-4 py-2">When</th>
                  <th scope="col" className="px-4 py-2">What</th>
                  <th scope="col" className="px-4 py-2">Details</th>
                  <th scope="col" className="px-4 py-2">By</th>
                </tr>
              </thead>
              <tbody>
                {user.history.map((h) => (
                  <tr key={h.id} className="border-b border-line last:border-0 align-top">
                    <td className="px-4 py-2 text-sm whitespace-nowrap">{formatDateTime(h.at)}</td>
                    <td className="px-4 py-2">{actionLabel(h.action)}</td>
                    <td className="px-4 py-2 text-sm break-all">{describe(h.details)}</td>
                    <td className="px-4 py-2 text-sm break-all">
                      {h.by ?? "system"}
                      {h.byRole && <span className="text-muted"> ({roleLabel(h.byRole)})</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
