import "server-only";
import { and, desc, eq, isNull } from "drizzle-orm";
import { patientRestrictions, sharingPolicies, sharingPolicyVersions, type StoredRule } from "@/db/schema";
import { can, type Ctx } from "@/lib/auth/context";
import { defineMutation, isUniqueViolation } from "@/lib/mutation";
import type { Tx } from "@/lib/db/scope";
import { londonDayStart, londonToday } from "@/lib/calendar";
import { AppError, notFound } from "@/lib/errors";
import { policySetCache } from "./cache";
import { trustMaps, type DirectoryTrust } from "./directory";
import { approvesAt } from "./queries";
import { draftInput, newPolicyInput, reasonInput, restrictionInput, type DraftInput } from "./schemas";
import { z } from "zod";

const fieldError = (code: "VALIDATION" | "CONFLICT", field: string, message: string) => new AppError(code, message, { fieldErrors: { [field]: [message] } });

/** A change that a decision depends on: the local compiled set is re-checked at once after commit. */
const invalidate = () => policySetCache.invalidate();

const versionParams = z.object({ versionId: z.uuid() });

/** The source trust by ODS code, if the caller may do `permission` there; else not found. */
async function sourceTrustFor(tx: Tx, ctx: Ctx, ods: string, permission: "sharing.write" | "restrictions.write") {
  const { byOds, byId } = await trustMaps(tx);
  const trust = byOds.get(ods);
  if (!trust || !can(ctx, permission, trust.id)) throw fieldError("VALIDATION", "sourceTrust", "Choose a trust whose policies you manage.");
  return { trustId: trust.id, trust, byOds, byId };
}

/** The rules with target trusts checked against the directory, and their ids for row-level security. */
function resolveTargets(draft: DraftInput, source: DirectoryTrust, byOds: Map<string, DirectoryTrust>) {
  const ids = new Set<string>();
  draft.rules.forEach((rule, i) => {
    rule.targetTrusts.forEach((ods) => {
      const t = byOds.get(ods);
      if (!t) throw fieldError("VALIDATION", `rules.${i}.targetTrusts`, `There is no trust with ODS code ${ods}.`);
      if (t.id === source.id) throw fieldError("VALIDATION", `rules.${i}.targetTrusts`, "A policy shares with other trusts: its own trust is always permitted.");
      ids.add(t.id);
    });
  });
  const rules: StoredRule[] = draft.rules.map((r) => ({ ...r }));
  return { rules, targetTrustIds: [...ids].sort() };
}

const versionColumns = {
  id: sharingPolicyVersions.id,
  trustId: sharingPolicyVersions.trustId,
  policyId: sharingPolicyVersions.policyId,
  version: sharingPolicyVersions.version,
  status: sharingPolicyVersions.status,
  createdBy: sharingPolicyVersions.createdBy,
  effectiveFrom: sharingPolicyVersions.effectiveFrom,
  effectiveUntil: sharingPolicyVersions.effectiveUntil,
  rules: sharingPolicyVersions.rules,
  changeNote: sharingPolicyVersions.changeNote,
};

/**
 * A version of a policy owned by a trust where the caller holds `permission`. Versions the caller
 * can see only as a target trust are not theirs to change: not found, like a missing one.
 */
async function ownedVersion(tx: Tx, ctx: Ctx, versionId: string) {
  const [v] = await tx.select(versionColumns).from(sharingPolicyVersions).where(eq(sharingPolicyVersions.id, versionId)).for("update");
  if (!v || !can(ctx, "sharing.read", v.trustId) || !(can(ctx, "sharing.write", v.trustId) || can(ctx, "sharing.approve", v.trustId))) {
    throw notFound("No such policy version.");
  }
  return { trustId: v.trustId, v };
}

const locateVersion = (tx: Tx, ctx: Ctx, { params }: { params: { versionId: string } }) => ownedVersion(tx, ctx, params.versionId);
const writeRefusal = "You cannot change this trust's policies.";
const approveRefusal = "Only an IG officer of the source trust can do this.";
const versionTarget = (id: string) => ({ type: "sharing_policy_version", id });

const draftDetails = (d: { effectiveFrom: Date; effectiveUntil: Date | null; changeNote: string; rules: StoredRule[] }) => ({
  effectiveFrom: d.effectiveFrom.toISOString(),
  effectiveUntil: d.effectiveUntil?.toISOString() ?? null,
  changeNote: d.changeNote,
  rules: d.rules,
});

const createPolicyMutation = defineMutation({
  name: "sharing.policy.create",
  permission: "sharing.write",
  refusal: writeRefusal,
  input: newPolicyInput,
  audit: ["sharing.policy.create"],
  locate: (tx, ctx, { data }) => sourceTrustFor(tx, ctx, data.policy.sourceTrust, "sharing.write"),
  afterCommit: invalidate,
  run: async ({ tx, ctx, data: { policy, draft }, found: { trust, byOds }, audit }) => {
    const { rules, targetTrustIds } = resolveTargets(draft, trust, byOds);
    let policyId: string;
    try {
      const [row] = await tx
        .insert(sharingPolicies)
        .values({ trustId: trust.id, name: policy.name, description: policy.description, createdBy: ctx.userId })
        .returning({ id: sharingPolicies.id });
      if (!row) throw new Error("insert returned no row");
      policyId = row.id;
    } catch (error) {
      if (isUniqueViolation(error, "sharing_policies_trust_name_key")) throw fieldError("CONFLICT", "policy.name", `${trust.odsCode} already has a policy called ${policy.name}.`);
      throw error;
    }
    const [version] = await tx
      .insert(sharingPolicyVersions)
      .values({ trustId: trust.id, policyId, version: 1, status: "draft", effectiveFrom: draft.effectiveFrom, effectiveUntil: draft.effectiveUntil, changeNote: draft.changeNote, rules, targetTrustIds, createdBy: ctx.userId })
      .returning({ id: sharingPolicyVersions.id });
    if (!version) throw new Error("insert returned no row");
    await audit({
      action: "sharing.policy.create",
      target: { type: "sharing_policy", id: policyId },
      details: { name: policy.name, description: policy.description, version: 1, after: draftDetails({ ...draft, rules }) },
    });
    return { policyId, versionId: version.id };
  },
});

/** Creates a policy of a source trust with its first version as a draft. */
export const createPolicy = (ctx: Ctx, input: unknown) => createPolicyMutation(ctx, {}, input);

const saveDraftMutation = defineMutation({
  name: "sharing.version.edit",
  permission: "sharing.write",
  refusal: writeRefusal,
  params: versionParams,
  missing: "No such policy version.",
  input: draftInput,
  audit: ["sharing.version.edit"],
  locate: locateVersion,
  afterCommit: invalidate,
  run: async ({ tx, ctx, data: draft, found: { v }, audit }) => {
    if (v.status !== "draft") throw new AppError("CONFLICT", `Version ${v.version} is ${v.status.replace("_", " ")}: only a draft can be edited. Start a new version instead.`);
    if (v.createdBy !== ctx.userId) throw new AppError("FORBIDDEN", "Only the author of a draft can edit it.");
    const { byOds, byId } = await trustMaps(tx);
    const source = byId.get(v.trustId);
    if (!source) throw notFound("No such policy version.");
    const { rules, targetTrustIds } = resolveTargets(draft, source, byOds);
    await tx
      .update(sharingPolicyVersions)
      .set({ effectiveFrom: draft.effectiveFrom, effectiveUntil: draft.effectiveUntil, changeNote: draft.changeNote, rules, targetTrustIds, updatedAt: new Date() })
      .where(and(eq(sharingPolicyVersions.trustId, v.trustId), eq(sharingPolicyVersions.id, v.id)));
    await audit({
      action: "sharing.version.edit",
      target: versionTarget(v.id),
      details: { policyId: v.policyId, version: v.version, before: draftDetails(v), after: draftDetails({ ...draft, rules }) },
    });
    return { policyId: v.policyId, versionId: v.id };
  },
});

/** Saves changes to a draft. Only its author edits a draft, so that the approver is never a co-author. */
export const saveDraft = (ctx: Ctx, versionId: string, input: unknown) => saveDraftMutation(ctx, { versionId }, input);

const startNewVersionMutation = defineMutation({
  name: "sharing.version.create",
  permission: "sharing.write",
  refusal: writeRefusal,
  params: z.object({ policyId: z.uuid() }),
  missing: "No such policy.",
  input: z.object({}),
  audit: ["sharing.version.create"],
  locate: async (tx, ctx, { params }) => {
    const [latest] = await tx.select(versionColumns).from(sharingPolicyVersions).where(eq(sharingPolicyVersions.policyId, params.policyId)).orderBy(desc(sharingPolicyVersions.version)).limit(1);
    if (!latest || !can(ctx, "sharing.write", latest.trustId)) throw notFound("No such policy.");
    return { trustId: latest.trustId, latest };
  },
  afterCommit: invalidate,
  run: async ({ tx, ctx, params: { policyId: id }, found: { latest }, audit }) => {
    const now = new Date();
    // Targets are recomputed from the directory, as for any draft.
    const { byOds } = await trustMaps(tx);
    const targetTrustIds = [...new Set(latest.rules.flatMap((r) => r.targetTrusts.flatMap((ods) => byOds.get(ods)?.id ?? [])))].sort();
    // A copy of an expired window would start life expired: the new draft then starts today.
    const expired = latest.effectiveUntil !== null && latest.effectiveUntil <= now;
    try {
      const [row] = await tx
        .insert(sharingPolicyVersions)
        .values({
          trustId: latest.trustId,
          policyId: id,
          version: latest.version + 1,
          status: "draft",
          effectiveFrom: expired ? londonDayStart(londonToday(now)) : latest.effectiveFrom,
          effectiveUntil: expired ? null : latest.effectiveUntil,
          changeNote: "",
          rules: latest.rules,
          targetTrustIds,
          createdBy: ctx.userId,
        })
        .returning({ id: sharingPolicyVersions.id });
      if (!row) throw new Error("insert returned no row");
      await audit({ action: "sharing.version.create", target: versionTarget(row.id), details: { policyId: id, version: latest.version + 1, copiedFrom: latest.version } });
      return { policyId: id, versionId: row.id };
    } catch (error) {
      if (isUniqueViolation(error, "sharing_policy_versions_one_open")) {
        throw new AppError("CONFLICT", "This policy already has a version in draft or awaiting approval: finish or return that one first.");
      }
      throw error;
    }
  },
});

/** Starts the next version of a policy as a draft, a copy of its latest version. */
export const startNewVersion = (ctx: Ctx, policyId: string) => startNewVersionMutation(ctx, { policyId }, {});

const submitForApprovalMutation = defineMutation({
  name: "sharing.version.submit",
  permission: "sharing.write",
  refusal: writeRefusal,
  params: versionParams,
  missing: "No such policy version.",
  input: z.object({}),
  audit: ["sharing.version.submit"],
  locate: locateVersion,
  afterCommit: invalidate,
  run: async ({ tx, ctx, found: { v }, audit }) => {
    if (v.status !== "draft") throw new AppError("CONFLICT", `Version ${v.version} is not a draft.`);
    if (v.createdBy !== ctx.userId) throw new AppError("FORBIDDEN", "Only the author of a draft can send it for approval.");
    await tx
      .update(sharingPolicyVersions)
      .set({ status: "pending_approval", submittedAt: new Date(), updatedAt: new Date() })
      .where(and(eq(sharingPolicyVersions.trustId, v.trustId), eq(sharingPolicyVersions.id, v.id)));
    await audit({ action: "sharing.version.submit", target: versionTarget(v.id), details: { policyId: v.policyId, version: v.version } });
    return { policyId: v.policyId, versionId: v.id };
  },
});

/** Sends a draft for approval by another IG officer of the source trust. */
export const submitForApproval = (ctx: Ctx, versionId: string) => submitForApprovalMutation(ctx, { versionId }, {});

const approveVersionMutation = defineMutation({
  name: "sharing.version.approve",
  permission: "sharing.approve",
  refusal: approveRefusal,
  params: versionParams,
  missing: "No such policy version.",
  input: z.object({}),
  audit: ["sharing.version.approve"],
  locate: locateVersion,
  afterCommit: invalidate,
  run: async ({ tx, ctx, found: { v }, audit }) => {
    if (!approvesAt(ctx, v.trustId)) throw new AppError("FORBIDDEN", "Only an IG officer of the source trust can approve its policies.");
    if (v.status !== "pending_approval") throw new AppError("CONFLICT", `Version ${v.version} is not awaiting approval.`);
    if (v.createdBy === ctx.userId) throw new AppError("FORBIDDEN", "You wrote this version: another IG officer of the trust must approve it.");
    const now = new Date();
    const superseded = await tx
      .update(sharingPolicyVersions)
      .set({ status: "superseded", supersededAt: now, updatedAt: now })
      .where(and(eq(sharingPolicyVersions.trustId, v.trustId), eq(sharingPolicyVersions.policyId, v.policyId), eq(sharingPolicyVersions.status, "active")))
      .returning({ version: sharingPolicyVersions.version });
    await tx
      .update(sharingPolicyVersions)
      .set({ status: "active", approvedBy: ctx.userId, approvedAt: now, updatedAt: now })
      .where(and(eq(sharingPolicyVersions.trustId, v.trustId), eq(sharingPolicyVersions.id, v.id)));
    await audit({
      action: "sharing.version.approve",
      target: versionTarget(v.id),
      details: { policyId: v.policyId, version: v.version, supersedes: superseded.map((s) => s.version), author: v.createdBy },
    });
    return { policyId: v.policyId, versionId: v.id };
  },
});

/**
 * Approves a version awaiting approval: it becomes active and the previous active version is
 * superseded. Two-person rule: the approver is an IG officer of the source trust, not the author.
 */
export const approveVersion = (ctx: Ctx, versionId: string) => approveVersionMutation(ctx, { versionId }, {});

const returnToDraftMutation = defineMutation({
  name: "sharing.version.return",
  permission: "sharing.write",
  refusal: writeRefusal,
  params: versionParams,
  missing: "No such policy version.",
  input: reasonInput("returning it"),
  audit: ["sharing.version.return"],
  locate: locateVersion,
  afterCommit: invalidate,
  run: async ({ tx, data: { reason }, found: { v }, audit }) => {
    if (v.status !== "pending_approval") throw new AppError("CONFLICT", `Version ${v.version} is not awaiting approval.`);
    await tx
      .update(sharingPolicyVersions)
      .set({ status: "draft", submittedAt: null, updatedAt: new Date() })
      .where(and(eq(sharingPolicyVersions.trustId, v.trustId), eq(sharingPolicyVersions.id, v.id)));
    await audit({ action: "sharing.version.return", target: versionTarget(v.id), details: { policyId: v.policyId, version: v.version, reason } });
    return { policyId: v.policyId, versionId: v.id };
  },
});

/** Sends a version awaiting approval back to its author as a draft, with the reviewer's reason. */
export const returnToDraft = (ctx: Ctx, versionId: string, input: unknown) => returnToDraftMutation(ctx, { versionId }, input);

const revokeVersionMutation = defineMutation({
  name: "sharing.version.revoke",
  permission: "sharing.approve",
  refusal: approveRefusal,
  params: versionParams,
  missing: "No such policy version.",
  input: reasonInput("revoking it"),
  audit: ["sharing.version.revoke"],
  locate: locateVersion,
  afterCommit: invalidate,
  run: async ({ tx, ctx, data: { reason }, found: { v }, audit }) => {
    if (!approvesAt(ctx, v.trustId)) throw new AppError("FORBIDDEN", "Only an IG officer of the source trust can revoke its policies.");
    if (v.status !== "active") throw new AppError("CONFLICT", `Version ${v.version} is not active.`);
    const now = new Date();
    await tx
      .update(sharingPolicyVersions)
      .set({ status: "revoked", revokedAt: now, revokedBy: ctx.userId, revokeReason: reason, updatedAt: now })
      .where(and(eq(sharingPolicyVersions.trustId, v.trustId), eq(sharingPolicyVersions.id, v.id)));
    await audit({ action: "sharing.version.revoke", target: versionTarget(v.id), details: { policyId: v.policyId, version: v.version, reason } });
    return { policyId: v.policyId, versionId: v.id };
  },
});

/** Revokes the active version of a policy, with a reason; it never permits again. */
export const revokeVersion = (ctx: Ctx, versionId: string, input: unknown) => revokeVersionMutation(ctx, { versionId }, input);

const restrictPatientMutation = defineMutation({
  name: "sharing.restriction.create",
  permission: "restrictions.write",
  input: restrictionInput,
  audit: ["sharing.restriction.create"],
  locate: (tx, ctx, { data }) => sourceTrustFor(tx, ctx, data.sourceTrust, "restrictions.write"),
  afterCommit: invalidate,
  run: async ({ tx, ctx, data, found: { trust }, audit }) => {
    try {
      const [row] = await tx
        .insert(patientRestrictions)
        .values({ trustId: trust.id, nhsNumber: data.nhsNumber, reason: data.reason, note: data.note, createdBy: ctx.userId })
        .returning({ id: patientRestrictions.id });
      if (!row) throw new Error("insert returned no row");
      await audit({ action: "sharing.restriction.create", target: { type: "patient_restriction", id: row.id }, details: { nhsNumber: data.nhsNumber, reason: data.reason, note: data.note } });
      return { id: row.id };
    } catch (error) {
      if (isUniqueViolation(error, "patient_restrictions_one_live")) throw fieldError("CONFLICT", "nhsNumber", `${trust.odsCode} already restricts this NHS number.`);
      throw error;
    }
  },
});

/** Restricts an NHS number at a source trust: other trusts reach the patient's images only by break-glass. */
export const restrictPatient = (ctx: Ctx, input: unknown) => restrictPatientMutation(ctx, {}, input);

const liftRestrictionMutation = defineMutation({
  name: "sharing.restriction.lift",
  permission: "restrictions.write",
  params: z.object({ restrictionId: z.uuid() }),
  missing: "No such restriction.",
  input: reasonInput("lifting the restriction"),
  audit: ["sharing.restriction.lift"],
  locate: async (tx, ctx, { params: { restrictionId } }) => {
    const [r] = await tx
      .select({ trustId: patientRestrictions.trustId, nhsNumber: patientRestrictions.nhsNumber })
      .from(patientRestrictions)
      .where(and(eq(patientRestrictions.id, restrictionId), isNull(patientRestrictions.liftedAt)));
    if (!r || !can(ctx, "restrictions.write", r.trustId)) throw notFound("No such restriction.");
    return { trustId: r.trustId, r };
  },
  afterCommit: invalidate,
  run: async ({ tx, ctx, data: { reason }, params: { restrictionId }, found: { r }, audit }) => {
    await tx
      .update(patientRestrictions)
      .set({ liftedAt: new Date(), liftedBy: ctx.userId, liftReason: reason })
      .where(and(eq(patientRestrictions.trustId, r.trustId), eq(patientRestrictions.id, restrictionId)));
    await audit({ action: "sharing.restriction.lift", target: { type: "patient_restriction", id: restrictionId }, details: { nhsNumber: r.nhsNumber, reason } });
    return { id: restrictionId };
  },
});

/** Lifts a restriction, with a reason; the row stays for the record. */
export const liftRestriction = (ctx: Ctx, restrictionId: string, input: unknown) => liftRestrictionMutation(ctx, { restrictionId }, input);
