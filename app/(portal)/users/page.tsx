import { pageQuery } from "@/lib/pages";
import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { Loading } from "@/components/ui/loading";
import { notFound } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { ButtonLink, DownloadLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { statusTone } from "@/components/users/status";
import { canAnywhere } from "@/lib/auth/context";
import { roles, userStatuses, roleLabels } from "@/lib/vocabulary";
import { actionLabel, userStatusLabel, userStatusLabels } from "@/lib/labels";
import { requireContext } from "@/lib/identity/request";
import { formatDateTime, formatDay, lastLondonDayOf } from "@/lib/calendar";
import { listDepartmentOptions, listEndingSoon, listRecentlyChanged, listUsers } from "@/lib/users/queries";
import { filterQuery, userFilter, type UserFilter } from "@/lib/users/schemas";
import { FilterInput, FilterSelect } from "@/components/ui/filter-fields";
import { ExtendRoleForm } from "@/components/users/extend-role-form";
import { extendRoleAction } from "./actions";

export const metadata: Metadata = { title: "Users" };

const views = [
  { view: "all", label: "All users" },
  { view: "ending-soon", label: "Roles ending soon" },
  { view: "recent", label: "Recently changed" },
] as const;

export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireContext();
  if (!canAnywhere(ctx, "users.read")) notFound();
  const filter = userFilter.parse(await pageQuery(searchParams));
  const canWrite = canAnywhere(ctx, "users.write");
  const canGrant = canAnywhere(ctx, "roles.grant");
  const query = filterQuery(filter);
  return (
    <>
      <PageHeader
        title="Users"
        description="The people of your trusts, their roles and where they work."
        actions={
          <>
            {filter.view === "all" && (
              <DownloadLink href={`/users/export.csv?${query}`}>
                Download CSV
              </DownloadLink>
            )}
            {canGrant && (
              <ButtonLink variant="secondary" href="/users/import">
                Import from CSV
              </ButtonLink>
            )}
            {canGrant && (
              <ButtonLink variant="secondary" href="/users/grant">
                Grant a role by email
              </ButtonLink>
            )}
            {canWrite && <ButtonLink href="/users/new">Add a person</ButtonLink>}
          </>
        }
      />
      <nav aria-label="Views of users" className="mb-4 border-b border-line">
        <ul className="flex flex-wrap gap-1">
          {views.map((v) => {
            const current = filter.view === v.view;
            return (
              <li key={v.view}>
                <Link
                  href={v.view === "all" ? "/users" : `/users?view=${v.view}`}
                  aria-current={current ? "page" : undefined}
                  className={`block px-3 py-2 font-semibold ${current ? "border-b-4 border-brand text-ink" : "text-brand underline underline-offset-4"}`}
                >
                  {v.label}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      {/* The list streams after the page's header: who may read users is decided above. */}
      <Suspense key={query.toString()} fallback={<Loading label="Loading users…" />}>
        {filter.view === "ending-soon" ? <EndingSoon ctx={ctx} /> : filter.view === "recent" ? <RecentlyChanged ctx={ctx} /> : <AllUsers ctx={ctx} filter={filter} />}
      </Suspense>
    </>
  );
}

type Ctx = Awaited<ReturnType<typeof requireContext>>;

async function AllUsers({ ctx, filter }: { ctx: Ctx; filter: UserFilter }) {
  const [page, departments] = await Promise.all([listUsers(ctx, filter), listDepartmentOptions(ctx)]);
  const trustName = new Map(page.trustOptions.map((t) => [t.id, t.odsCode]));
  const query = filterQuery(filter);
  const filtered = Boolean(filter.q || filter.role || filter.status || filter.trust || filter.department);
  return (
    <>
      <form role="search" aria-label="Filter users" className="mb-4 flex flex-wrap items-end gap-4 no-print">
        <FilterInput name="q" label="Name or email" type="search" value={filter.q} />
        {page.trustOptions.length > 1 && (
          <FilterSelect name="trust" label="Trust" value={filter.trust} anyLabel="All your trusts" options={page.trustOptions.map((t) => ({ value: t.odsCode, label: `${t.odsCode} ${t.name}` }))} />
        )}
        <FilterSelect name="role" label="Role" value={filter.role} options={roles.map((r) => ({ value: r, label: roleLabels[r] }))} />
        <FilterSelect
          name="status"
          label="Status"
          value={filter.status}
          options={userStatuses.map((st) => ({ value: st, label: userStatusLabels[st] }))}
        />
        {departments.length > 0 && (
          <FilterSelect
            name="department"
            label="Department"
            value={filter.department}
            options={departments.map((d) => ({ value: d.id, label: `${trustName.get(d.trustId) ?? ""} ${d.name}` }))}
          />
        )}
        <button type="submit" className="rounded bg-brand px-4 py-2 font-semibold text-white">
          Filter
        </button>
        {filtered && (
          <Link href="/users" className="py-2 text-brand underline">
            Clear filters
          </Link>
        )}
      </form>
      {page.rows.length === 0 ? (
        <EmptyState title={filtered ? "No one matches these filters" : "No users to show"}>
          {filtered ? <Link href="/users" className="text-brand underline">Clear the filters</Link> : "Add people, or import them from a CSV file."}
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded border border-line bg-white">
          <table className="w-full text-left">
            <caption className="sr-only">Users, {page.rows.length} on this page, by name</caption>
            <thead className="border-b border-line bg-canvas">
              <tr>
                <th scope="col" className="px-4 py-2">Name</th>
                <th scope="col" className="px-4 py-2">Email</th>
                <th scope="col" className="px-4 py-2">Home trust</th>
                <th scope="col" className="px-4 py-2">Roles in force</th>
                <th scope="col" className="px-4 py-2">Status</th>
                <th scope="col" className="px-4 py-2">Last sign-in</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((u) => (
                <tr key={u.id} className="border-b border-line last:border-0 align-top">
                  <td className="px-4 py-2">
                    <Link href={`/users/${u.id}`} className="text-brand underline underline-offset-4">
                      {u.name}
                    </Link>
                  </td>
                  <td className="px-4 py-2 break-all">{u.email}</td>
                  <td className="px-4 py-2 font-mono">{u.homeTrust ?? "Consortium"}</td>
                  <td className="px-4 py-2">
                    {u.roles.length === 0 ? (
                      <span className="text-muted">None</span>
                    ) : (
                      <ul>
                        {u.roles.map((r, i) => (
                          <li key={i}>
                            {r.label}, {r.trust ?? "consortium"}
                            {r.validUntil && <span className="text-sm text-muted"> until {formatDay(lastLondonDayOf(r.validUntil))}</span>}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td className="px-4 py-2">
                    <Badge tone={statusTone(u.status)}>{userStatusLabel(u.status)}</Badge>
                  </td>
                  <td className="px-4 py-2 text-sm">{u.lastSignInAt ? formatDateTime(u.lastSignInAt) : <span className="text-muted">Never</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label="Pages of users" className="mt-3 flex gap-4">
        {(page.prev || filter.after) && (
          <Link href={`/users?${query}`} className="text-brand underline">
            First page
          </Link>
        )}
        {page.prev && (
          <Link href={`/users?${filterQuery(filter, { before: page.prev })}`} className="text-brand underline" rel="prev">
            Previous page
          </Link>
        )}
        {page.next && (
          <Link href={`/users?${filterQuery(filter, { after: page.next })}`} className="text-brand underline" rel="next">
            Next page
          </Link>
        )}
      </nav>
    </>
  );
}

async function EndingSoon({ ctx }: { ctx: Ctx }) {
  const rows = await listEndingSoon(ctx);
  const canGrant = rows.some((r) => r.canExtend);
  if (rows.length === 0) return <EmptyState title="No role ends in the next 30 days" />;
  return (
    <div className="overflow-x-auto rounded border border-line bg-white">
      <table className="w-full text-left">
        <caption className="px-4 py-2 text-left font-semibold">Roles that end in the next 30 days, soonest first</caption>
        <thead className="border-b border-line bg-canvas">
          <tr>
            <th scope="col" className="px-4 py-2">Last day</th>
            <th scope="col" className="px-4 py-2">Name</th>
            <th scope="col" className="px-4 py-2">Role</th>
            <th scope="col" className="px-4 py-2">Trust</th>
            <th scope="col" className="px-4 py-2">Email</th>
            {canGrant && <th scope="col" className="px-4 py-2">Extend</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.assignmentId} className="border-b border-line last:border-0 align-top">
              <td className="px-4 py-2">{formatDay(lastLondonDayOf(r.validUntil))}</td>
              <td className="px-4 py-2">
                <Link href={`/users/${r.userId}`} className="text-brand underline underline-offset-4">
                  {r.name}
                </Link>
              </td>
              <td className="px-4 py-2">{r.label}</td>
              <td className="px-4 py-2 font-mono">{r.trust ?? "Consortium"}</td>
              <td className="px-4 py-2 break-all">{r.email}</td>
              {canGrant && (
                <td className="px-4 py-2">
                  {r.canExtend && (
                    <ExtendRoleForm action={extendRoleAction} assignmentId={r.assignmentId} currentLastDay={lastLondonDayOf(r.validUntil)} who={`${r.name}, ${r.label} at ${r.trust ?? "the consortium"}`} />
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

async function RecentlyChanged({ ctx }: { ctx: Ctx }) {
  const rows = await listRecentlyChanged(ctx);
  if (rows.length === 0) return <EmptyState title="No account or role changed in the last 30 days" />;
  return (
    <div className="overflow-x-auto rounded border border-line bg-white">
      <table className="w-full text-left">
        <caption className="px-4 py-2 text-left font-semibold">People whose account or roles changed in the last 30 days, latest first</caption>
        <thead className="border-b border-line bg-canvas">
          <tr>
            <th scope="col" className="px-4 py-2">When</th>
            <th scope="col" className="px-4 py-2">Name</th>
            <th scope="col" className="px-4 py-2">Latest change</th>
            <th scope="col" className="px-4 py-2">By</th>
            <th scope="col" className="px-4 py-2">Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.userId} className="border-b border-line last:border-0">
              <td className="px-4 py-2 text-sm">{formatDateTime(r.at)}</td>
              <td className="px-4 py-2">
                <Link href={`/users/${r.userId}`} className="text-brand underline underline-offset-4">
                  {r.name}
                </Link>
              </td>
              <td className="px-4 py-2">{actionLabel(r.action)}</td>
              <td className="px-4 py-2 break-all text-sm">{r.by ?? ""}</td>
              <td className="px-4 py-2">
                <Badge tone={statusTone(r.status)}>{userStatusLabel(r.status)}</Badge>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
