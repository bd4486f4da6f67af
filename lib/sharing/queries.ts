import "server-only";
import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { patientRestrictions, sharingPolicies, sharingPolicyVersions, users, type StoredRule } from "@/db/schema";
import { can, canAnywhere, trustsWhere, type Ctx } from "@/lib/auth/context";
import { permissionsOf } from "@/lib/auth/permissions";
import { withTenant, type Tx } from "@/lib/db/scope";
import { notFound } from "@/lib/errors";
import { z } from "zod";
import { referenceCache } from "@/lib/trust-directory";
import type { DirectoryTrust } from "./directory";
import type { VersionStatus } from "@/lib/vocabulary";

/** The trust directory by ODS code and by id, from the process-wide reference cache (no query). */
async function cachedTrustMaps() {
  const { trusts: list, byId } = await referenceCache.get();
  return { list, byOds: new Map(list.map((t) => [t.odsCode, t])), byId };
}

export type VersionView = {
  id: string;
  version: number;
  status: VersionStatus;
  effectiveFrom: Date;
  effectiveUntil: Date | null;
  rules: StoredRule[];
  changeNote: string;
  createdBy: string;
  authorName: string | null;
  createdAt: Date;
  submittedAt: Date | null;
  approvedByName: string | null;
  approvedAt: Date | null;
  supersededAt: Date | null;
  revokedByName: string | null;
  revokedAt: Date | null;
  revokeReason: string | null;
};

export type PolicyListItem = {
  id: string;
  name: string;
  sourceTrust: DirectoryTrust;
  current: { version: number; status: VersionStatus; effectiveFrom: Date; effectiveUntil: Date | null; targets: string[] } | null;
  open: { version: number; status: VersionStatus } | null;
  latestVersion: number;
};

/** Is the window of an active version over, or not yet begun, at `now`? */
export function windowState(v: { effectiveFrom: Date; effectiveUntil: Date | null }, now: Date): "in_effect" | "expired" | "future" {
  if (v.effectiveFrom > now) return "future";
  if (v.effectiveUntil && v.effectiveUntil <= now) return "expired";
  return "in_effect";
}

function requireRead(ctx: Ctx) {
  const scope = trustsWhere(ctx, "sharing.read");
  if (!scope.all && scope.trustIds.length === 0) throw notFound("Not found.");
  return scope;
}

/**
 * The policies the caller can read: those of trusts where they hold sharing.read, and published
 * policies that name one of those trusts as a target (row-level security shows both, nothing else).
 */
export async function listPolicies(ctx: Ctx): Promise<PolicyListItem[]> {
  requireRead(ctx);
  return withTenant(ctx, async (tx) => {
    const { byId } = await cachedTrustMaps();
    const policies = await tx.select({ id: sharingPolicies.id, name: sharingPolicies.name, trustId: sharingPolicies.trustId }).from(sharingPolicies).orderBy(asc(sharingPolicies.name));
    if (policies.length === 0) return [];
    const versions = await tx
      .select({ policyId: sharingPolicyVersions.policyId, version: sharingPolicyVersions.version, status: sharingPolicyVersions.status, effectiveFrom: sharingPolicyVersions.effectiveFrom, effectiveUntil: sharingPolicyVersions.effectiveUntil, rules: sharingPolicyVersions.rules })
      .from(sharingPolicyVersions)
      .where(inArray(sharingPolicyVersions.policyId, policies.map((p) => p.id)))
      .orderBy(desc(sharingPolicyVersions.version));
    return policies.flatMap((p): PolicyListItem[] => {
      const source = byId.get(p.trustId);
      if (!source) return [];
      const own = versions.filter((v) => v.policyId === p.id);
      const current = own.find((v) => v.status === "active") ?? own.find((v) => v.status === "revoked" || v.status === "superseded");
      const open = own.find((v) => v.status === "draft" || v.status === "pending_approval");
      return [
        {
          id: p.id,
          name: p.name,
          sourceTrust: source,
          current: current
            ? { version: current.version, status: current.status, effectiveFrom: current.effectiveFrom, effectiveUntil: current.effectiveUntil, targets: [...new Set(current.rules.flatMap((r) => r.targetTrusts))].sort() }
            : null,
          open: open ? { version: open.version, status: open.status } : null,
          latestVersion: own[0]?.version ?? 0,
        },
      ];
    });
  });
}

const authors = alias(users, "authors");
const approvers = alias(users, "approvers");
const revokers = alias(users, "revokers");

async function versionsOf(tx: Tx, policyId: string): Promise<VersionView[]> {
  return tx
    .select({
      id: sharingPolicyVersions.id,
      version: sharingPolicyVersions.version,
      status: sharingPolicyVersions.status,
      effectiveFrom: sharingPolicyVersions.effectiveFrom,
      effectiveUntil: sharingPolicyVersions.effectiveUntil,
      rules: sharingPolicyVersions.rules,
      changeNote: sharingPolicyVersions.changeNote,
      createdBy: sharingPolicyVersions.createdBy,
      authorName: authors.name,
      createdAt: sharingPolicyVersions.createdAt,
      submittedAt: sharingPolicyVersions.submittedAt,
      approvedByName: approvers.name,
      approvedAt: sharingPolicyVersions.approvedAt,
      supersededAt: sharingPolicyVersions.supersededAt,
      revokedByName: revokers.name,
      revokedAt: sharingPolicyVersions.revokedAt,
      revokeReason: sharingPolicyVersions.revokeReason,
    })
    .from(sharingPolicyVersions)
    .leftJoin(authors, eq(authors.id, sharingPolicyVersions.createdBy))
    .leftJoin(approvers, eq(approvers.id, sharingPolicyVersions.approvedBy))
    .leftJoin(revokers, eq(revokers.id, sharingPolicyVersions.revokedBy))
    .where(eq(sharingPolicyVersions.policyId, policyId))
    .orderBy(desc(sharingPolicyVersions.version));
}

/**
 * Does the caller hold `sharing.approve` through a role at this very trust? Approval is the data
 * controller's: a consortium-wide IG officer reads and drafts everywhere but approves nowhere.
 */
export function approvesAt(ctx: Ctx, trustId: string): boolean {
  return ctx.roles.some((r) => r.trustId === trustId && permissionsOf(r.role).includes("sharing.approve"));
}

/** One policy with every version the caller can see, and what the caller may do with it. */
export async function getPolicy(ctx: Ctx, policyId: string) {
  requireRead(ctx);
  if (!z.uuid().safeParse(policyId).success) throw notFound("No such policy.");
  return withTenant(ctx, async (tx) => {
    const [policy] = await tx
      .select({ id: sharingPolicies.id, name: sharingPolicies.name, description: sharingPolicies.description, trustId: sharingPolicies.trustId, createdAt: sharingPolicies.createdAt })
      .from(sharingPolicies)
      .where(eq(sharingPolicies.id, policyId));
    if (!policy) throw notFound("No such policy.");
    const isOwner = can(ctx, "sharing.read", policy.trustId);
    const { byId, list } = await cachedTrustMaps();
    const source = byId.get(policy.trustId);
    if (!source) throw notFound("No such policy.");
    const versions = await versionsOf(tx, policyId);
    // A reader at a target trust sees published versions only (row-level security already drops the rest).
    if (!isOwner && versions.length === 0) throw notFound("No such policy.");
    return {
      ...policy,
      sourceTrust: source,
      trusts: list,
      versions,
      canWrite: can(ctx, "sharing.write", policy.trustId),
      canApprove: approvesAt(ctx, policy.trustId),
      userId: ctx.userId,
    };
  });
}

/** Versions awaiting approval at trusts where the caller approves, with who wrote them. */
export async function approvalQueue(ctx: Ctx) {
  requireRead(ctx);
  const trustIds = [...new Set(ctx.roles.filter((r) => r.trustId && permissionsOf(r.role).includes("sharing.approve")).map((r) => r.trustId as string))];
  if (trustIds.length === 0) return [];
  return withTenant(ctx, async (tx) => {
    const { byId } = await cachedTrustMaps();
    const rows = await tx
      .select({
        id: sharingPolicyVersions.id,
        policyId: sharingPolicyVersions.policyId,
        policyName: sharingPolicies.name,
        trustId: sharingPolicyVersions.trustId,
        version: sharingPolicyVersions.version,
        submittedAt: sharingPolicyVersions.submittedAt,
        createdBy: sharingPolicyVersions.createdBy,
        authorName: authors.name,
      })
      .from(sharingPolicyVersions)
      .innerJoin(sharingPolicies, and(eq(sharingPolicies.trustId, sharingPolicyVersions.trustId), eq(sharingPolicies.id, sharingPolicyVersions.policyId)))
      .leftJoin(authors, eq(authors.id, sharingPolicyVersions.createdBy))
      .where(and(inArray(sharingPolicyVersions.trustId, trustIds), eq(sharingPolicyVersions.status, "pending_approval")))
      .orderBy(asc(sharingPolicyVersions.submittedAt));
    return rows.map((r) => ({ ...r, sourceOds: byId.get(r.trustId)?.odsCode ?? "?", isOwn: r.createdBy === ctx.userId }));
  });
}

export type MatrixCell = { purposes: string[]; policies: { id: string; name: string; version: number }[]; breakGlass: boolean; hasDeny: boolean };

/**
 * Which trust may see whose imaging, and for which purposes, at `now`: rows are source trusts (the
 * data controllers), columns the requester trusts. Built from the active, approved, in-window
 * versions the caller can read.
 */
export async function sharingMatrix(ctx: Ctx, now = new Date()) {
  requireRead(ctx);
  return withTenant(ctx, async (tx) => {
    const trusts = (await referenceCache.get()).trusts.filter((t) => t.status !== "offboarded");
    const byId = new Map(trusts.map((t) => [t.id, t]));
    const rows = await tx
      .select({ policyId: sharingPolicyVersions.policyId, name: sharingPolicies.name, trustId: sharingPolicyVersions.trustId, version: sharingPolicyVersions.version, effectiveFrom: sharingPolicyVersions.effectiveFrom, effectiveUntil: sharingPolicyVersions.effectiveUntil, rules: sharingPolicyVersions.rules })
      .from(sharingPolicyVersions)
      .innerJoin(sharingPolicies, and(eq(sharingPolicies.trustId, sharingPolicyVersions.trustId), eq(sharingPolicies.id, sharingPolicyVersions.policyId)))
      .where(eq(sharingPolicyVersions.status, "active"));
    const cells = new Map<string, MatrixCell>();
    for (const v of rows) {
      if (windowState(v, now) !== "in_effect") continue;
      const source = byId.get(v.trustId);
      if (!source) continue;
      for (const rule of v.rules) {
        for (const target of rule.targetTrusts) {
          const key = `${source.odsCode}|${target}`;
          let cell = cells.get(key);
          if (!cell) cells.set(key, (cell = { purposes: [], policies: [], breakGlass: false, hasDeny: false }));
          if (rule.effect === "deny") cell.hasDeny = true;
          else {
            cell.purposes = [...new Set([...cell.purposes, ...rule.purposes])].sort();
            cell.breakGlass ||= rule.breakGlassAllowed;
          }
          if (!cell.policies.some((p) => p.id === v.policyId)) cell.policies.push({ id: v.policyId, name: v.name, version: v.version });
        }
      }
    }
    return { trusts, cells: Object.fromEntries(cells) as Record<string, MatrixCell> };
  });
}

/** The live restrictions at trusts where the caller may read sharing, newest first. */
export async function listRestrictions(ctx: Ctx) {
  requireRead(ctx);
  return withTenant(ctx, async (tx) => {
    const { byId } = await cachedTrustMaps();
    const rows = await tx
      .select({ id: patientRestrictions.id, trustId: patientRestrictions.trustId, nhsNumber: patientRestrictions.nhsNumber, reason: patientRestrictions.reason, note: patientRestrictions.note, createdAt: patientRestrictions.createdAt, createdByName: authors.name })
      .from(patientRestrictions)
      .leftJoin(authors, eq(authors.id, patientRestrictions.createdBy))
      .where(isNull(patientRestrictions.liftedAt))
      .orderBy(desc(patientRestrictions.createdAt));
    return rows
      .filter((r) => can(ctx, "sharing.read", r.trustId))
      .map((r) => ({ ...r, sourceOds: byId.get(r.trustId)?.odsCode ?? "?", canLift: can(ctx, "restrictions.write", r.trustId) }));
  });
}

/** Trusts where the caller may do `permission` (for the source-trust choices of forms), and the whole directory. */
export async function sharingFormOptions(ctx: Ctx, permission: "sharing.write" | "restrictions.write" | "sharing.read") {
  requireRead(ctx);
  // Public reference data and the caller's own roles: no transaction.
  const all = (await referenceCache.get()).trusts;
  return { all, mine: all.filter((t) => can(ctx, permission, t.id)), canAnywhere: canAnywhere(ctx, permission) };
}
