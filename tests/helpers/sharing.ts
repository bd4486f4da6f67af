// A sharing arrangement the access-decision tests ask about: a source trust whose active policy
// (submitted by one IG officer, approved by another) permits the target trust's radiologists MR
// studies for MDTs, and a consortium administrator to make API clients.
import type { Ctx } from "@/lib/auth/context";
import { approveVersion, createPolicy, submitForApproval } from "@/lib/sharing/commands";
import { makeTrust, makeUser, type TestTrust } from "./factories";

export type MrSharing = { source: TestTrust; target: TestTrust; radiologist: Ctx; admin: Ctx };

/** Two new trusts and an active policy sharing the source's MR with the target's radiologists for MDTs. */
export async function makeMrSharing(): Promise<MrSharing> {
  const [source, target] = [await makeTrust(), await makeTrust()];
  const author = await makeUser([{ role: "ig_officer", trustId: source.id }]);
  const approver = await makeUser([{ role: "ig_officer", trustId: source.id }]);
  const radiologist = await makeUser([{ role: "radiologist", trustId: target.id }]);
  const created = await createPolicy(author, {
    policy: { sourceTrust: source.odsCode, name: "Regional MR", description: "" },
    draft: {
      effectiveFrom: "2020-01-01",
      effectiveUntil: "",
      changeNote: "",
      rules: [{ id: crypto.randomUUID(), effect: "permit", targetTrusts: [target.odsCode], requesterRoles: ["radiologist"], modalities: ["MR"], purposes: ["mdt"], maxStudyAgeYears: "10", requiresRelationship: "on", breakGlassAllowed: "on" }],
    },
  });
  if (!created.ok) throw new Error(JSON.stringify(created.error));
  const submitted = await submitForApproval(author, created.data.versionId);
  if (!submitted.ok) throw new Error(JSON.stringify(submitted.error));
  const approved = await approveVersion(approver, created.data.versionId);
  if (!approved.ok) throw new Error(JSON.stringify(approved.error));
  const admin = await makeUser([{ role: "consortium_admin", trustId: null }], { homeTrustId: null });
  return { source, target, radiologist, admin };
}
