import "server-only";
import { aliasedTable, and, asc, desc, eq, gt, gte, ilike, inArray, isNotNull, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import { auditEvents, departments, roleAssignments, users } from "@/db/schema";
import { can, trustsWhere, type Ctx } from "@/lib/auth/context";
import { roleLabels, type Role } from "@/lib/vocabulary";
import { withSystemScopeWithin, withTenant, type Tx } from "@/lib/db/scope";
import { notFound } from "@/lib/errors";
import { referenceCache, trustDirectory as listTrustDirectory, type DirectoryTrust, type TrustRef } from "@/lib/trust-directory";
import { decideGrant, grantableRoles } from "./grant-rule";
import { defaultJobRoleCode, jobRoleLabel } from "./job-roles";
import { decodeCursor, encodeCursor, type UserFilter } from "./schemas";

/** Every trust's id, ODS code and name by id (public reference data: lib/trust-directory.ts). */
export async function trustDirectory(tx: Tx): Promise<Map<string, TrustRef>> {
  return refsById(await listTrustDirectory(tx));
}

const refsById = (rows: DirectoryTrust[]) => new Map(rows.map((t) => [t.id, { id: t.id, odsCode: t.odsCode, name: t.name }]));

/** The same directory for the pages' read paths, from the process-wide reference cache (no query). */
async function cachedTrustDirectory(odsCode?: string): Promise<Map<string, TrustRef>> {
  const data = odsCode ? await referenceCache.getWith((d) => d.trusts.some((t) => t.odsCode === odsCode)) : await referenceCache.get();
  return refsById(data.trusts);
}

type Scope = { all: boolean; trustIds: string[] };

/**
 * The people visible in a scope: their home trust is one of its trusts, or they hold (or held) a
 * role at one of them. Row-level security applies the same rule underneath.
 */
function visibleIn(scope: Scope): SQL {
  if (scope.all) return sql`true`;
  if (scope.trustIds.length === 0) return sql`false`;
  return or(
    inArray(users.homeTrustId, scope.trustIds),
    sql`exists (select 1 from ${roleAssignments} where ${roleAssignments.userId} = ${users.id} and ${inArray(roleAssignments.trustId, scope.trustIds)})`,
  ) as SQL;
}

/** An assignment in force at `now`: not revoked, started, not yet ended. */
function inForce(now: Date): SQL {
  return and(
    isNull(roleAssignments.revokedAt),
    lte(roleAssignments.validFrom, now),
    or(isNull(roleAssignments.validUntil), gt(roleAssignments.validUntil, now)),
  ) as SQL;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export type UserListRow = {
  id: string;
  name: string;
  email: string;
  status: string;
  homeTrust: string | null;
  lastSignInAt: Date | null;
  roles: { role: string; label: string; trust: string | null; validUntil: Date | null }[];
};

export type UserPage = { rows: UserListRow[]; next: string | null; prev: string | null; trustOptions: TrustRef[] };

/**
 * One page of the users the caller may read, filtered and searched, by keyset on (name, id): the
 * cost of page 100 is the cost of page 1, and no count of the whole result is taken.
 */
export async function listUsers(ctx: Ctx, filter: UserFilter, pageSize = 50): Promise<UserPage> {
  const readable = trustsWhere(ctx, "users.read");
  return withTenant(ctx, async (tx) => {
    // A trust named by the filter is looked for afresh when the cached directory lacks it.
    const directory = await cachedTrustDirectory(filter.trust ?? undefined);
    const trustOptions = [...directory.values()].filter((t) => readable.all || readable.trustIds.includes(t.id));
    const empty = { rows: [], next: null, prev: null, trustOptions };
    if (!readable.all && readable.trustIds.length === 0) return empty;

    let scope: Scope = readable;
    if (filter.trust) {
      const chosen = trustOptions.find((t) => t.odsCode === filter.trust);
      if (!chosen) return empty; // a trust out of reach filters to nothing, as a missing one does
      scope = { all: false, trustIds: [chosen.id] };
    }
    const now = new Date();
    const conditions: SQL[] = [visibleIn(scope)];
    if (filter.status) conditions.push(eq(users.status, filter.status));
    if (filter.q) {
      const like = `%${escapeLike(filter.q)}%`;
      conditions.push(or(ilike(users.name, like), ilike(users.email, like.toLowerCase())) as SQL);
    }
    if (filter.role || filter.department) {
      const parts: SQL[] = [sql`${roleAssignments.userId} = ${users.id}`, inForce(now)];
      if (filter.role) parts.push(eq(roleAssignments.role, filter.role));
      if (filter.department) parts.push(eq(roleAssignments.departmentId, filter.department));
      if (!scope.all) parts.push(inArray(roleAssignments.trustId, scope.trustIds));
      conditions.push(sql`exists (select 1 from ${roleAssignments} where ${and(...parts)})`);
    }
    const after = decodeCursor(filter.after);
    const before = after ? null : decodeCursor(filter.before);
    if (after) conditions.push(sql`(${users.name}, ${users.id}) > (${after.name}, ${after.id}::uuid)`);
    if (before) conditions.push(sql`(${users.name}, ${users.id}) < (${before.name}, ${before.id}::uuid)`);

    const fetched = await tx
      .select({ id: users.id, name: users.name, email: users.email, status: users.status, homeTrustId: users.homeTrustId, lastSignInAt: users.lastSignInAt })
      .from(users)
      .where(and(...conditions))
      .orderBy(...(before ? [desc(users.name), desc(users.id)] : [asc(users.name), asc(users.id)]))
      .limit(pageSize + 1);
    const hasMore = fetched.length > pageSize;
    const page = fetched.slice(0, pageSize);
    if (before) page.reverse();

    const ids = page.map((u) => u.id);
    const held = ids.length
      ? await tx
          .select({ userId: roleAssignments.userId, role: roleAssignments.role, trustId: roleAssignments.trustId, validUntil: roleAssignments.validUntil })
          .from(roleAssignments)
          .where(and(inArray(roleAssignments.userId, ids), inForce(now)))
          .orderBy(asc(roleAssignments.role))
      : [];
    const rows: UserListRow[] = page.map((u) => ({
      id: u.id,
      name: u.name,
      email: u.email,
      status: u.status,
      lastSignInAt: u.lastSignInAt,
      homeTrust: u.homeTrustId ? (directory.get(u.homeTrustId)?.odsCode ?? null) : null,
      roles: held
        .filter((r) => r.userId === u.id)
        .map((r) => ({
          role: r.role,
          label: roleLabels[r.role as Role] ?? r.role,
          trust: r.trustId ? (directory.get(r.trustId)?.odsCode ?? null) : null,
          validUntil: r.validUntil,
        })),
    }));
    const first = page[0];
    const last = page[page.length - 1];
    return {
      rows,
      trustOptions,
      // Going forward there is a next page when one more row came back; going back, there always is.
      next: last && (before || hasMore) ? encodeCursor(last) : null,
      prev: first && (after || (before && hasMore)) ? encodeCursor(first) : null,
    };
  });
}

/**
 * Every user matching the filter, for the CSV export (pages through the keyset, capped). Without
 * users.read anywhere the export does not exist for the caller, as the users page does not: a
 * header line alone would tell them the download is there.
 */
export async function exportUsers(ctx: Ctx, filter: UserFilter, cap = 100_000): Promise<UserListRow[]> {
  const readable = trustsWhere(ctx, "users.read");
  if (!readable.all && readable.trustIds.length === 0) throw notFound();
  const out: UserListRow[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await listUsers(ctx, { ...filter, after: cursor, before: undefined }, 1000);
    out.push(...page.rows);
    if (!page.next || out.length >= cap) return out.slice(0, cap);
    cursor = page.next;
  }
}

/** The departments of the trusts the caller may read, for the department filter and the grant form. */
export async function listDepartmentOptions(ctx: Ctx): Promise<{ id: string; trustId: string; name: string }[]> {
  const readable = trustsWhere(ctx, "users.read");
  const granting = trustsWhere(ctx, "roles.grant");
  const all = readable.all || granting.all;
  const ids = [...new Set([...readable.trustIds, ...granting.trustIds])];
  if (!all && ids.length === 0) return [];
  return withTenant(ctx, (tx) =>
    tx
      .select({ id: departments.id, trustId: departments.trustId, name: departments.name })
      .from(departments)
      .where(all ? sql`true` : inArray(departments.trustId, ids))
      .orderBy(asc(departments.name)),
  );
}

export type EndingSoonRow = { assignmentId: string; userId: string; name: string; email: string; role: string; label: string; trust: string | null; validUntil: Date; canExtend: boolean };

/** Role assignments in the caller's trusts that end within `days` days, soonest first. */
export async function listEndingSoon(ctx: Ctx, days = 30): Promise<EndingSoonRow[]> {
  const readable = trustsWhere(ctx, "users.read");
  if (!readable.all && readable.trustIds.length === 0) return [];
  return withTenant(ctx, async (tx) => {
    const directory = await cachedTrustDirectory();
    const now = new Date();
    const horizon = new Date(now.getTime() + days * 86_400_000);
    const rows = await tx
      .select({
        assignmentId: roleAssignments.id,
        userId: users.id,
        name: users.name,
        email: users.email,
        role: roleAssignments.role,
        trustId: roleAssignments.trustId,
        validUntil: roleAssignments.validUntil,
      })
      .from(roleAssignments)
      .innerJoin(users, eq(users.id, roleAssignments.userId))
      .where(
        and(
          readable.all ? sql`true` : inArray(roleAssignments.trustId, readable.trustIds),
          isNull(roleAssignments.revokedAt),
          isNotNull(roleAssignments.validUntil),
          gt(roleAssignments.validUntil, now),
          lte(roleAssignments.validUntil, horizon),
          lte(roleAssignments.validFrom, now),
        ),
      )
      .orderBy(asc(roleAssignments.validUntil), asc(users.name))
      .limit(500);
    return rows.map((r) => ({
      ...r,
      validUntil: r.validUntil ?? horizon,
      label: roleLabels[r.role as Role] ?? r.role,
      trust: r.trustId ? (directory.get(r.trustId)?.odsCode ?? null) : null,
      // The rule that granted it decides who may extend it (lib/users/extend.ts checks it again).
      canExtend: decideGrant(ctx, { userId: r.userId, role: r.role, trustId: r.trustId }).allowed,
    }));
  });
}

export type RecentChangeRow = { userId: string; name: string; email: string; status: string; action: string; at: Date; by: string | null };

/** People whose account or roles changed in the last `days` days, most recent first (from the audit trail). */
export async function listRecentlyChanged(ctx: Ctx, days = 30): Promise<RecentChangeRow[]> {
  const readable = trustsWhere(ctx, "users.read");
  if (!readable.all && readable.trustIds.length === 0) return [];
  return withTenant(ctx, async (tx) => {
    const since = new Date(Date.now() - days * 86_400_000);
    const changes = await tx
      .selectDistinctOn([auditEvents.targetId], { userId: auditEvents.targetId, action: auditEvents.action, at: auditEvents.occurredAt, by: auditEvents.actorEmail })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.targetType, "user"),
          isNotNull(auditEvents.targetId),
          gte(auditEvents.occurredAt, since),
          or(sql`${auditEvents.action} like 'user.%'`, sql`${auditEvents.action} like 'role.%'`),
          readable.all ? sql`true` : or(inArray(auditEvents.sourceTrustId, readable.trustIds), inArray(auditEvents.actorTrustId, readable.trustIds)),
        ),
      )
      .orderBy(auditEvents.targetId, desc(auditEvents.occurredAt))
      .limit(2000);
    const latest = changes.filter((c): c is typeof c & { userId: string } => c.userId !== null).sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, 200);
    if (latest.length === 0) return [];
    const people = await tx
      .select({ id: users.id, name: users.name, email: users.email, status: users.status })
      .from(users)
      .where(and(inArray(users.id, latest.map((c) => c.userId)), visibleIn(readable)));
    const byId = new Map(people.map((p) => [p.id, p]));
    return latest.flatMap((c) => {
      const p = byId.get(c.userId);
      return p ? [{ userId: p.id, name: p.name, email: p.email, status: p.status, action: c.action, at: c.at, by: c.by }] : [];
    });
  });
}

type AssignmentView = {
  id: string;
  role: string;
  label: string;
  trust: TrustRef | null;
  department: string | null;
  jobRoleCode: string | null;
  jobRole: string | null;
  validFrom: Date;
  validUntil: Date | null;
  revokedAt: Date | null;
  state: "in force" | "starts later" | "ended" | "revoked";
  canRevoke: boolean;
};

export type GrantOption = { trustId: string | null; label: string; roles: { value: Role; label: string; jobRoleCode: string | null }[]; departments: { id: string; name: string }[] };

/** The person with this id, if the caller may read them (else NOT_FOUND, as a missing one). */
export async function findUserFor(tx: Tx, ctx: Ctx, userId: string) {
  const readable = trustsWhere(ctx, "users.read");
  if (!/^[0-9a-f-]{36}$/i.test(userId)) throw notFound("No such user.");
  const [user] = await tx
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      status: users.status,
      homeTrustId: users.homeTrustId,
      lastSignInAt: users.lastSignInAt,
      lockedUntil: users.lockedUntil,
      leavesAt: users.leavesAt,
      failedSignIns: users.failedSignIns,
      hasPassword: sql<boolean>`${users.passwordHash} is not null`,
      hasMfa: sql<boolean>`${users.totpConfirmedAt} is not null`,
      createdAt: users.createdAt,
      updatedAt: users.updatedAt,
    })
    .from(users)
    .where(and(eq(users.id, userId), visibleIn(readable)));
  if (!user) throw notFound("No such user.");
  return user;
}

/** May the caller change this person's account (name, email, status)? Their home trust decides. */
function canManageUser(ctx: Ctx, user: { id: string; homeTrustId: string | null }): boolean {
  return user.id !== ctx.userId && can(ctx, "users.write", user.homeTrustId);
}

/** A user's page: who they are, every role at every trust, the history of changes, the last sign-in. */
export async function getUser(ctx: Ctx, userId: string) {
  return withTenant(ctx, async (tx) => {
    const user = await findUserFor(tx, ctx, userId);
    const directory = await cachedTrustDirectory();
    const now = new Date();
    // Every role at every trust: the caller may see this person, and a role's name, trust and
    // window are what another trust's manager needs to plan a rotation. Nothing else is widened.
    const assignmentRows = await withSystemScopeWithin(tx, () => {
      const granter = aliasedTable(users, "granter");
      return tx
        .select({
          id: roleAssignments.id,
          role: roleAssignments.role,
          trustId: roleAssignments.trustId,
          department: departments.name,
          jobRoleCode: roleAssignments.jobRoleCode,
          validFrom: roleAssignments.validFrom,
          validUntil: roleAssignments.validUntil,
          revokedAt: roleAssignments.revokedAt,
          grantedBy: granter.name,
        })
        .from(roleAssignments)
        .leftJoin(departments, and(eq(departments.trustId, roleAssignments.trustId), eq(departments.id, roleAssignments.departmentId)))
        .leftJoin(granter, eq(granter.id, roleAssignments.grantedBy))
        .where(eq(roleAssignments.userId, user.id))
        .orderBy(desc(roleAssignments.validFrom));
    });
    const roles: (AssignmentView & { grantedBy: string | null })[] = assignmentRows.map((a) => ({
      id: a.id,
      role: a.role,
      label: roleLabels[a.role as Role] ?? a.role,
      trust: a.trustId ? (directory.get(a.trustId) ?? null) : null,
      department: a.department,
      jobRoleCode: a.jobRoleCode,
      jobRole: jobRoleLabel(a.jobRoleCode),
      validFrom: a.validFrom,
      validUntil: a.validUntil,
      revokedAt: a.revokedAt,
      grantedBy: a.grantedBy,
      state: a.revokedAt ? "revoked" : a.validFrom > now ? "starts later" : a.validUntil && a.validUntil <= now ? "ended" : "in force",
      canRevoke: !a.revokedAt && !(a.validUntil && a.validUntil <= now) && decideGrant(ctx, { userId: user.id, role: a.role, trustId: a.trustId }).allowed,
    }));

    const grantOptions = await grantOptionsFor(tx, ctx, user.id, directory);
    return {
      ...user,
      homeTrust: user.homeTrustId ? (directory.get(user.homeTrustId) ?? null) : null,
      isLocked: Boolean(user.lockedUntil && user.lockedUntil > now),
      roles,
      grantOptions,
      canManage: canManageUser(ctx, user),
      isSelf: user.id === ctx.userId,
    };
  });
}

/**
 * The latest changes to a person (at most `limit`) that the caller's trusts may see (the audit
 * trail's own scope), for the history section that the person's page streams after its first part.
 * The person is looked up again: NOT_FOUND for someone the caller may not see, as getUser.
 */
export async function getUserHistory(ctx: Ctx, userId: string, limit = 100) {
  return withTenant(ctx, async (tx) => {
    const user = await findUserFor(tx, ctx, userId);
    return tx
      .select({ id: auditEvents.id, at: auditEvents.occurredAt, action: auditEvents.action, outcome: auditEvents.outcome, by: auditEvents.actorEmail, byRole: auditEvents.actorRole, details: auditEvents.details })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.targetType, "user"),
          eq(auditEvents.targetId, user.id),
          sql`${auditEvents.action} not in ('auth.sign_in', 'auth.sign_out', 'auth.session_ended', 'auth.sign_in_failed')`,
        ),
      )
      .orderBy(desc(auditEvents.occurredAt))
      .limit(Math.min(Math.max(1, Math.trunc(limit)), 1000));
  });
}

/** The scopes and roles the caller may grant to this person (the grant form's choices). */
async function grantOptionsFor(tx: Tx, ctx: Ctx, granteeId: string, directory: Map<string, TrustRef>): Promise<GrantOption[]> {
  const granting = trustsWhere(ctx, "roles.grant");
  const trustIds = granting.all ? [...directory.keys()] : granting.trustIds;
  const depts = trustIds.length
    ? await tx.select({ id: departments.id, trustId: departments.trustId, name: departments.name }).from(departments).where(inArray(departments.trustId, trustIds)).orderBy(asc(departments.name))
    : [];
  const scopes: (string | null)[] = [...(granting.all ? [null] : []), ...trustIds];
  return scopes.flatMap((trustId) => {
    const grantable = grantableRoles(ctx, granteeId, trustId);
    if (grantable.length === 0) return [];
    const trust = trustId ? directory.get(trustId) : null;
    return [
      {
        trustId,
        label: trust ? `${trust.name} (${trust.odsCode})` : "Whole consortium",
        roles: grantable.map((r) => ({ value: r, label: roleLabels[r], jobRoleCode: defaultJobRoleCode[r] ?? null })),
        departments: depts.filter((d) => d.trustId === trustId).map((d) => ({ id: d.id, name: d.name })),
      },
    ];
  });
}

/** The choices of the new-user and grant-by-email forms: home trusts the caller can manage and grant options. */
export async function getNewUserOptions(ctx: Ctx) {
  return withTenant(ctx, async (tx) => {
    const directory = await cachedTrustDirectory();
    const writable = trustsWhere(ctx, "users.write");
    const homeTrusts = [...directory.values()].filter((t) => writable.all || writable.trustIds.includes(t.id));
    // The grantee is not known yet: use an id that is never the caller's so that the self rule does not hide choices.
    const grantOptions = await grantOptionsFor(tx, ctx, "00000000-0000-0000-0000-000000000000", directory);
    return { homeTrusts, canCreateConsortiumUser: writable.all, grantOptions };
  });
}
