import type { Metadata } from "next";
import Link from "next/link";
import { cache, Suspense } from "react";
import { Badge } from "@/components/ui/badge";
import { Button, ButtonLink } from "@/components/ui/button";
import { DataTable, pageNumber, pageRows } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { Loading } from "@/components/ui/loading";
import { PageHeader } from "@/components/ui/page-header";
import { GrantRoleForm } from "@/components/users/grant-role-form";
import { ResetLinkForm } from "@/components/users/reset-link-form";
import { SuspendForm } from "@/components/users/suspend-form";
import { LeavingDateForm } from "@/components/users/leaving-date-form";
import { statusTone } from "@/components/users/status";
import { actionLabel, roleLabel, userStatusLabel } from "@/lib/labels";
import { getRequestContext, requireContext } from "@/lib/identity/request";
import { formatDate, formatDateTime, formatDay, lastLondonDayOf, londonToday } from "@/lib/calendar";
import { orNotFound } from "@/lib/pages";
import type { Ctx } from "@/lib/auth/context";
import { getUser, getUserHistory } from "@/lib/users/queries";
import {
  grantRoleAction,
  markLeaverAction,
  reactivateUserAction,
  resetLinkAction,
  resetMfaAction,
  revokeRoleAction,
  setLeavingDateAction,
  suspendUserAction,
  unlockUserAction,
} from "../actions";

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
  "leaving-date": "Leaving date set: they stay active until the end of that day.",
  "leaving-cleared": "Leaving date cleared.",
  unlocked: "Lock lifted.",
  "mfa-reset": "Second factor cleared: they set it up again at their next sign-in.",
};

const lastDayOf = (instant: unknown) => (typeof instant === "string" ? formatDay(lastLondonDayOf(new Date(instant))) : "");

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
    if (typeof before?.validUntil === "string" && typeof after?.validUntil === "string") parts.push(`last day ${lastDayOf(before.validUntil)} → ${lastDayOf(after.validUntil)}`);
  } else if (before && after && "leavesAt" in after) {
    // A leaving date is stored as the instant after the last working day: shown as that day.
    parts.push(`last working day ${lastDayOf(before.leavesAt) || "none"} → ${lastDayOf(after.leavesAt) || "none"}`);
  } else if (before && after) {
    for (const key of Object.keys(after)) parts.push(`${key}: ${JSON.stringify(before[key] ?? null)} → ${JSON.stringify(after[key] ?? null)}`);
  }
  if (typeof details.reason === "string") parts.push(`reason: ${/^[a-z_]+$/.test(details.reason) ? details.reason.replace(/_/g, " ") : details.reason}`);
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
        {user.leavesAt && (
          <>
            <dt className="font-semibold">Leaving</dt>
            <dd>Last working day {formatDay(lastLondonDayOf(user.leavesAt))}: a leaver from the end of that day</dd>
          </>
        )}
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
        <DataTable
          caption={`Role assignments of ${user.name}, latest first`}
          rows={user.roles}
          rowKey={(r) => r.id}
          empty={<EmptyState title="No roles" />}
          columns={[
            {
              header: "Role",
              cell: (r) => (
                <>
                  {r.label}
                  {r.jobRole && <div className="text-sm text-muted">{r.jobRole}</div>}
                </>
              ),
            },
            {
              header: "Where",
              cell: (r) => (
                <>
                  {r.trust ? <span className="font-mono">{r.trust.odsCode}</span> : "Whole consortium"}
                  {r.department && <div className="text-sm text-muted">{r.department}</div>}
                </>
              ),
            },
            { header: "First day", cell: (r) => formatDate(r.validFrom) },
            { header: "Last day", cell: (r) => (r.validUntil ? formatDay(lastLondonDayOf(r.validUntil)) : "Open-ended") },
            {
              header: "State",
              cell: (r) => (
                <>
                  <Badge tone={r.state === "in force" ? "success" : r.state === "starts later" ? "warning" : "neutral"}>{r.state}</Badge>
                  {r.revokedAt && <div className="text-sm text-muted">{formatDate(r.revokedAt)}</div>}
                </>
              ),
            },
            { header: "Granted by", className: "text-sm", cell: (r) => r.grantedBy ?? "" },
            {
              header: "Actions",
              srOnlyHeader: true,
              className: "text-right",
              cell: (r) =>
                r.canRevoke && (
                  <form action={revokeRoleAction.bind(null, user.id, r.id)}>
                    <Button type="submit" variant="quiet">
                      End now<span className="sr-only"> the role {r.label} at {r.trust?.odsCode ?? "the consortium"}</span>
                    </Button>
                  </form>
                ),
            },
          ]}
        />
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
              {user.status !== "active" && (
                <form action={reactivateUserAction.bind(null, user.id)}>
                  <Button type="submit" variant="secondary">
                    Reactivate
                  </Button>
                </form>
              )}
            </div>
            {user.status === "active" && (
              <details>
                <summary className="cursor-pointer font-semibold">Suspend…</summary>
                <SuspendForm action={suspendUserAction.bind(null, user.id)} name={user.name} />
              </details>
            )}
            {user.status !== "left" && (
              <details open={Boolean(user.leavesAt)}>
                <summary className="cursor-pointer font-semibold">{user.leavesAt ? "Leaving date" : "Set a leaving date…"}</summary>
                <LeavingDateForm
                  action={setLeavingDateAction.bind(null, user.id)}
                  name={user.name}
                  lastDay={user.leavesAt ? lastLondonDayOf(user.leavesAt) : null}
                  today={today}
                />
              </details>
            )}
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
        {/* Streamed after the rest of the page: the person is found (or the page is a 404) by then. */}
        <Suspense fallback={<Loading label="Loading the history of changes…" />}>
          <UserHistory ctx={ctx} userId={user.id} name={user.name} page={pageNumber(search.page)} />
        </Suspense>
      </section>
    </>
  );
}

const historyPageSize = 25;

/** The latest changes to the person, a page at a time (the newest 100 at most). */
async function UserHistory({ ctx, userId, name, page }: { ctx: Ctx; userId: string; name: string; page: number }) {
  const history = await getUserHistory(ctx, userId);
  const shown = pageRows(history, page, historyPageSize, `Pages of the history of ${name}`, (p) => `/users/${userId}?page=${p}#history`);
  return (
    <DataTable
      caption={`Changes to ${name} from the audit trail, latest first`}
      rows={shown.rows}
      rowKey={(h) => h.id}
      empty={<EmptyState title="No changes recorded" />}
      paging={shown.paging}
      columns={[
        { header: "When", className: "text-sm whitespace-nowrap", cell: (h) => formatDateTime(h.at) },
        { header: "What", cell: (h) => actionLabel(h.action) },
        { header: "Details", className: "text-sm break-all", cell: (h) => describe(h.details) },
        {
          header: "By",
          className: "text-sm break-all",
          cell: (h) => (
            <>
              {h.by ?? "system"}
              {h.byRole && <span className="text-muted"> ({roleLabel(h.byRole)})</span>}
            </>
          ),
        },
      ]}
    />
  );
}
