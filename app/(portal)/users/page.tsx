import { pageQuery } from "@/lib/pages";
import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { Loading } from "@/components/ui/loading";
import { notFound } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
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
      <DataTable
        caption={`Users, ${page.rows.length} on this page, by name`}
        rows={page.rows}
        rowKey={(u) => u.id}
        csvHref={`/users/export.csv?${query}`}
        empty={
          <EmptyState title={filtered ? "No one matches these filters" : "No users to show"}>
            {filtered ? <Link href="/users" className="text-brand underline">Clear the filters</Link> : "Add people, or import them from a CSV file."}
          </EmptyState>
        }
        paging={{
          label: "Pages of users",
          first: page.prev || filter.after ? `/users?${query}` : null,
          prev: page.prev ? `/users?${filterQuery(filter, { before: page.prev })}` : null,
          next: page.next ? `/users?${filterQuery(filter, { after: page.next })}` : null,
        }}
        columns={[
          {
            header: "Name",
            rowHeader: true,
            cell: (u) => (
              <Link href={`/users/${u.id}`} className="text-brand underline underline-offset-4">
                {u.name}
              </Link>
            ),
          },
          { header: "Email", className: "break-all", cell: (u) => u.email },
          { header: "Home trust", className: "font-mono", cell: (u) => u.homeTrust ?? "Consortium" },
          {
            header: "Roles in force",
            cell: (u) =>
              u.roles.length === 0 ? (
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
              ),
          },
          { header: "Status", cell: (u) => <Badge tone={statusTone(u.status)}>{userStatusLabel(u.status)}</Badge> },
          { header: "Last sign-in", className: "text-sm", cell: (u) => (u.lastSignInAt ? formatDateTime(u.lastSignInAt) : <span className="text-muted">Never</span>) },
        ]}
      />
    </>
  );
}

async function EndingSoon({ ctx }: { ctx: Ctx }) {
  const rows = await listEndingSoon(ctx);
  const canGrant = rows.some((r) => r.canExtend);
  return (
    <DataTable
      caption="Roles that end in the next 30 days, soonest first"
      showCaption
      rows={rows}
      rowKey={(r) => r.assignmentId}
      empty="No role ends in the next 30 days"
      columns={[
        { header: "Last day", cell: (r) => formatDay(lastLondonDayOf(r.validUntil)) },
        {
          header: "Name",
          rowHeader: true,
          cell: (r) => (
            <Link href={`/users/${r.userId}`} className="text-brand underline underline-offset-4">
              {r.name}
            </Link>
          ),
        },
        { header: "Role", cell: (r) => r.label },
        { header: "Trust", className: "font-mono", cell: (r) => r.trust ?? "Consortium" },
        { header: "Email", className: "break-all", cell: (r) => r.email },
        ...(canGrant
          ? [
              {
                header: "Extend",
                cell: (r: (typeof rows)[number]) =>
                  r.canExtend && (
                    <ExtendRoleForm action={extendRoleAction} assignmentId={r.assignmentId} currentLastDay={lastLondonDayOf(r.validUntil)} who={`${r.name}, ${r.label} at ${r.trust ?? "the consortium"}`} />
                  ),
              },
            ]
          : []),
      ]}
    />
  );
}

async function RecentlyChanged({ ctx }: { ctx: Ctx }) {
  const rows = await listRecentlyChanged(ctx);
  return (
    <DataTable
      caption="People whose account or roles changed in the last 30 days, latest first"
      showCaption
      rows={rows}
      rowKey={(r) => r.userId}
      empty="No account or role changed in the last 30 days"
      columns={[
        { header: "When", className: "text-sm", cell: (r) => formatDateTime(r.at) },
        {
          header: "Name",
          rowHeader: true,
          cell: (r) => (
            <Link href={`/users/${r.userId}`} className="text-brand underline underline-offset-4">
              {r.name}
            </Link>
          ),
        },
        { header: "Latest change", cell: (r) => actionLabel(r.action) },
        { header: "By", className: "break-all text-sm", cell: (r) => r.by ?? "" },
        { header: "Status", cell: (r) => <Badge tone={statusTone(r.status)}>{userStatusLabel(r.status)}</Badge> },
      ]}
    />
  );
}
