import "server-only";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { patientRestrictions, roleAssignments, sharingGeneration, sharingPolicies, sharingPolicyVersions, users } from "@/db/schema";
import { CheckedCache, cacheCheckIntervalMs } from "@/lib/cache-check";
import { withSystem, type Tx } from "@/lib/db/scope";
import { trustMaps } from "./directory";
import { compilePolicySet, type CompiledPolicySet, type PolicyVersionInput } from "./engine";

/** A role assignment as a decision reads it: trust by ODS code (null: consortium-wide), window in ms. */
type DirectoryRole = { role: string; trust: string | null; from: number; until: number };
type DirectoryUser = { status: "active" | "suspended" | "left"; roles: DirectoryRole[] };

/** Everything a decision reads, compiled, with the generation it was read at. */
export type PolicySnapshot = {
  generation: number;
  set: CompiledPolicySet;
  /** Users by lower-case email. */
  users: Map<string, DirectoryUser>;
  /** Trust ids by ODS code (for the audit events of decisions). */
  trustIds: Map<string, string>;
  loadedAt: Date;
};

/** The current generation of the sharing data (moved on by triggers, db/migrations/*_sharing_security.sql). */
async function readGeneration(tx: Tx): Promise<number> {
  const [row] = await tx.select({ generation: sharingGeneration.generation }).from(sharingGeneration).where(eq(sharingGeneration.id, 1));
  return row?.generation ?? 0;
}

/**
 * Reads and compiles the policy set, restrictions and user directory, consortium-wide (decisions
 * are made for machines about every trust). The generation is read first: data read after it is at
 * least that new, so a change committed during the load only causes one more reload, never a stale set.
 */
export async function loadSnapshot(): Promise<PolicySnapshot> {
  return withSystem(async (tx) => {
    const generation = await readGeneration(tx);
    const { byId } = await trustMaps(tx);
    const versionRows = await tx
      .select({
        policyId: sharingPolicyVersions.policyId,
        policyName: sharingPolicies.name,
        trustId: sharingPolicyVersions.trustId,
        version: sharingPolicyVersions.version,
        status: sharingPolicyVersions.status,
        approvedBy: sharingPolicyVersions.approvedBy,
        effectiveFrom: sharingPolicyVersions.effectiveFrom,
        effectiveUntil: sharingPolicyVersions.effectiveUntil,
        rules: sharingPolicyVersions.rules,
      })
      .from(sharingPolicyVersions)
      .innerJoin(sharingPolicies, and(eq(sharingPolicies.trustId, sharingPolicyVersions.trustId), eq(sharingPolicies.id, sharingPolicyVersions.policyId)))
      // Only what can decide, plus what explains (pending) — drafts and history are left out.
      .where(inArray(sharingPolicyVersions.status, ["active", "pending_approval"]));
    const versions: PolicyVersionInput[] = versionRows.flatMap((v) => {
      const source = byId.get(v.trustId);
      return source ? [{ ...v, sourceTrust: source.odsCode }] : [];
    });
    const restrictionRows = await tx
      .select({ trustId: patientRestrictions.trustId, nhsNumber: patientRestrictions.nhsNumber })
      .from(patientRestrictions)
      .where(isNull(patientRestrictions.liftedAt));
    const restrictions = restrictionRows.flatMap((r) => {
      const source = byId.get(r.trustId);
      return source ? [{ sourceTrust: source.odsCode, nhsNumber: r.nhsNumber }] : [];
    });

    const userRows = await tx.select({ id: users.id, email: users.email, status: users.status }).from(users);
    const roleRows = await tx
      .select({ userId: roleAssignments.userId, role: roleAssignments.role, trustId: roleAssignments.trustId, validFrom: roleAssignments.validFrom, validUntil: roleAssignments.validUntil, revokedAt: roleAssignments.revokedAt })
      .from(roleAssignments);
    const rolesByUser = new Map<string, DirectoryRole[]>();
    for (const r of roleRows) {
      const trust = r.trustId ? byId.get(r.trustId)?.odsCode : null;
      if (trust === undefined) continue;
      const ends = [r.validUntil?.getTime(), r.revokedAt?.getTime()].filter((t): t is number => t !== undefined);
      const role: DirectoryRole = { role: r.role, trust, from: r.validFrom.getTime(), until: ends.length ? Math.min(...ends) : Number.POSITIVE_INFINITY };
      const list = rolesByUser.get(r.userId);
      if (list) list.push(role);
      else rolesByUser.set(r.userId, [role]);
    }
    const directory = new Map<string, DirectoryUser>();
    for (const u of userRows) directory.set(u.email.toLowerCase(), { status: u.status, roles: rolesByUser.get(u.id) ?? [] });

    return {
      generation,
      set: compilePolicySet(versions, restrictions),
      users: directory,
      trustIds: new Map([...byId.values()].map((t) => [t.odsCode, t.id])),
      loadedAt: new Date(),
    };
  });
}

/**
 * The compiled policy set of this app instance (lib/cache-check.ts): a change made through this
 * instance invalidates at once; one made through another instance is seen within `checkIntervalMs`
 * (SHARING_CACHE_CHECK_MS, default 1000 ms; 0 checks on every read).
 */
export class PolicySetCache extends CheckedCache<PolicySnapshot, number> {
  constructor(checkIntervalMs: number) {
    super(checkIntervalMs, { readVersion: () => withSystem(readGeneration), load: loadSnapshot, versionOf: (s) => s.generation });
  }
}

const globalForCache = globalThis as unknown as { mosaicPolicySetCache?: PolicySetCache };

/** The process-wide cache (one per app instance). */
export const policySetCache: PolicySetCache = (globalForCache.mosaicPolicySetCache ??= new PolicySetCache(cacheCheckIntervalMs()));
