import "server-only";
import { londonDayStart } from "@/lib/calendar";
import type { Tx } from "@/db/client";
import { patientRestrictions, sharingPolicies, sharingPolicyVersions, trusts } from "@/db/schema";
import { demoPolicies, demoRestrictions } from "./demo-sharing";

/** A demo day as the instant it starts in London, as the policy editor stores it. */
const at = (day: string) => londonDayStart(day);

/**
 * Writes the demo policies and restrictions (inside the seed's transaction, as the owner). Each
 * version is written by the trust's IG officer and approved by its second IG officer.
 */
export async function seedDemoSharing(tx: Tx, userIds: Map<string, string>): Promise<{ policies: number; restrictions: number }> {
  const trustRows = await tx.select({ id: trusts.id, odsCode: trusts.odsCode }).from(trusts);
  const trustId = new Map(trustRows.map((t) => [t.odsCode, t.id]));
  const idOf = (map: Map<string, string>, key: string) => {
    const id = map.get(key);
    if (!id) throw new Error(`demo sharing: no ${key}`);
    return id;
  };
  for (const p of demoPolicies) {
    const source = idOf(trustId, p.source);
    const ods = p.source.toLowerCase();
    const author = idOf(userIds, `ig@${ods}.example`);
    const approver = idOf(userIds, `ig2@${ods}.example`);
    const [policy] = await tx.insert(sharingPolicies).values({ trustId: source, name: p.name, description: p.description, createdBy: author }).returning({ id: sharingPolicies.id });
    if (!policy) throw new Error("policy insert returned no row");
    for (const [i, v] of p.versions.entries()) {
      const created = at(v.effectiveFrom);
      created.setUTCDate(created.getUTCDate() - 14);
      const approvedAt = new Date(created.getTime() + 3 * 86_400_000);
      const rules = v.rules.map((r, k) => ({ ...r, id: stableRuleId(p.name, k) }));
      const isApproved = v.status !== "pending_approval";
      await tx.insert(sharingPolicyVersions).values({
        trustId: source,
        policyId: policy.id,
        version: i + 1,
        status: v.status,
        effectiveFrom: at(v.effectiveFrom),
        effectiveUntil: v.effectiveUntil ? at(v.effectiveUntil) : null,
        rules,
        targetTrustIds: [...new Set(rules.flatMap((r) => r.targetTrusts.map((t) => idOf(trustId, t))))].sort(),
        changeNote: v.changeNote,
        createdBy: author,
        createdAt: created,
        submittedAt: new Date(created.getTime() + 86_400_000),
        approvedBy: isApproved ? approver : null,
        approvedAt: isApproved ? approvedAt : null,
        supersededAt: v.status === "superseded" ? at(p.versions[i + 1]?.effectiveFrom ?? v.effectiveFrom) : null,
        revokedBy: v.status === "revoked" ? approver : null,
        revokedAt: v.status === "revoked" ? new Date(approvedAt.getTime() + 60 * 86_400_000) : null,
        revokeReason: v.revokeReason ?? null,
      });
    }
  }
  for (const r of demoRestrictions) {
    await tx.insert(patientRestrictions).values({
      trustId: idOf(trustId, r.source),
      nhsNumber: r.nhsNumber,
      reason: r.reason,
      note: r.note,
      createdBy: idOf(userIds, `ig@${r.source.toLowerCase()}.example`),
    });
  }
  return { policies: demoPolicies.length, restrictions: demoRestrictions.length };
}

/** The same rule keeps the same id in every version of a policy (so versions compare rule by rule). */
function stableRuleId(policyName: string, index: number): string {
  let h = 0x811c9dc5;
  for (const ch of `${policyName}#${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  const hex = h.toString(16).padStart(8, "0");
  return `${hex}-0000-4000-8000-${String(index).padStart(12, "0")}`;
}
