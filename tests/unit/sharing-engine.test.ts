// Table tests: one condition at a time, everything else matching.
import { describe, expect, it } from "vitest";
import { compilePolicySet, decide, explain } from "@/lib/sharing/engine";
import { now, request, rule, version } from "./sharing-fixtures";

const set = (versions = [version()], restrictions: { sourceTrust: string; nhsNumber: string }[] = []) => compilePolicySet(versions, restrictions);

describe("the requester", () => {
  it.each([
    [{ status: null }, "unknown_user"],
    [{ status: "suspended" as const }, "user_inactive"],
    [{ status: "left" as const }, "user_inactive"],
    [{ roles: [] }, "no_role_at_trust"],
  ])("%o is denied with %s, even within their own trust", (requester, code) => {
    for (const sourceTrust of ["RNZ", "RHU"]) {
      const d = decide(set(), request({ requester, study: { sourceTrust } }), now);
      expect(d.decision).toBe("deny");
      expect(d.reasons.map((r) => r.code)).toEqual([code]);
    }
  });

  it("is permitted within their own trust with reason same_trust and no policy", () => {
    const d = decide(set([]), request({ study: { sourceTrust: "RHU" } }), now);
    expect(d).toEqual({ decision: "permit", policy: null, reasons: [expect.objectContaining({ code: "same_trust" })], breakGlass: false });
  });
});

describe("a matching rule", () => {
  it("permits and names its policy version", () => {
    const d = decide(set(), request(), now);
    expect(d.decision).toBe("permit");
    expect(d.policy).toEqual({ id: "00000000-0000-4000-8000-000000000001", version: 1 });
    expect(d.reasons[0]?.code).toBe("permitted_by_rule");
  });

  it("with no policy at all, cross-trust is denied", () => {
    const d = decide(set([]), request(), now);
    expect(d).toMatchObject({ decision: "deny", policy: null, reasons: [{ code: "no_permitting_rule" }] });
  });
});

// Each row changes one thing so that the rule no longer matches. The relationship, and the purpose
// in an emergency, are waived by break-glass (break_glass_required); the others are not (deny).
describe.each([
  ["requester trust not a target", request({ requester: { trust: "R1F" }, patientEpisodeTrusts: ["R1F"] }), "deny"],
  ["role not listed", request({ requester: { roles: ["radiographer"] } }), "deny"],
  ["modality not listed", request({ study: { modality: "US" } }), "deny"],
  ["study older than the maximum age", request({ study: { studyDate: "2016-06-14" } }), "deny"],
  ["purpose not listed", request({ purpose: "research" }), "deny"],
  ["purpose not listed but an emergency", request({ purpose: "emergency" }), "break_glass_required"],
  ["no episode at the requester's trust", request({ patientEpisodeTrusts: ["RNZ"] }), "break_glass_required"],
  ["another source trust", request({ study: { sourceTrust: "RHM" }, requester: { trust: "RHU" } }), "deny"],
])("when the %s", (_what, req, expected) => {
  it(`answers ${expected}`, () => {
    const d = decide(set(), req, now);
    expect(d.decision).toBe(expected);
    expect(d.breakGlass).toBe(false);
  });
  it("answers deny when the rule allows no break-glass", () => {
    expect(decide(set([version({}, [rule({ breakGlassAllowed: false })])]), req, now).decision).toBe("deny");
  });
});

describe("study age", () => {
  it("covers a study exactly at the maximum age and not a day older", () => {
    expect(decide(set(), request({ study: { studyDate: "2016-06-15" } }), now).decision).toBe("permit");
    expect(decide(set(), request({ study: { studyDate: "2016-06-14" } }), now).decision).not.toBe("permit");
  });
  it("has no limit when the maximum is empty", () => {
    expect(decide(set([version({}, [rule({ maxStudyAgeYears: null })])]), request({ study: { studyDate: "1990-01-01" } }), now).decision).toBe("permit");
  });
});

describe("relationship", () => {
  it("is not needed when the rule does not require it", () => {
    expect(decide(set([version({}, [rule({ requiresRelationship: false })])]), request({ patientEpisodeTrusts: [] }), now).decision).toBe("permit");
  });
});

describe("the version", () => {
  it.each([
    ["pending approval", { status: "pending_approval" as const }],
    ["a draft", { status: "draft" as const, approvedBy: null }],
    ["superseded", { status: "superseded" as const }],
    ["revoked", { status: "revoked" as const }],
    ["active but never approved", { approvedBy: null }],
    ["expired", { effectiveUntil: new Date("2026-06-15T11:59:59Z") }],
    ["not yet in effect", { effectiveFrom: new Date("2026-06-15T12:00:01Z") }],
  ])("never permits when %s", (_what, overrides) => {
    const d = decide(set([version(overrides)]), request({ breakGlassJustification: "Trauma call, patient unconscious" }), now);
    expect(d.decision).toBe("deny");
  });

  it("permits from the first instant of its window and not at its end", () => {
    expect(decide(set([version({ effectiveFrom: now })]), request(), now).decision).toBe("permit");
    expect(decide(set([version({ effectiveUntil: now })]), request(), now).decision).toBe("deny");
  });
});

describe("deny rules", () => {
  const denyTeaching = rule({ id: "deny", effect: "deny", purposes: ["mdt"], breakGlassAllowed: false });
  it("override a matching permit, in any order", () => {
    for (const rules of [[rule(), denyTeaching], [denyTeaching, rule()]]) {
      const d = decide(set([version({}, rules)]), request(), now);
      expect(d).toMatchObject({ decision: "deny", reasons: [{ code: "denied_by_rule" }] });
    }
  });
  it("of another policy override too, break-glass included", () => {
    const other = version({ policyId: "00000000-0000-4000-8000-000000000002", policyName: "No MDT", version: 3 }, [denyTeaching]);
    const d = decide(set([version(), other]), request({ breakGlassJustification: "Emergency" }), now);
    expect(d).toMatchObject({ decision: "deny", policy: { id: "00000000-0000-4000-8000-000000000002", version: 3 } });
  });
  it("do not apply when one of their conditions does not match", () => {
    expect(decide(set([version({}, [rule(), { ...denyTeaching, modalities: ["CT"] }])]), request(), now).decision).toBe("permit");
  });
});

describe("restricted patients", () => {
  const restricted = [{ sourceTrust: "RNZ", nhsNumber: "9990000018" }];
  it("need break-glass across trusts even when a rule permits", () => {
    const d = decide(set([version()], restricted), request(), now);
    expect(d.decision).toBe("break_glass_required");
    expect(d.reasons.map((r) => r.code)).toEqual(["patient_restricted", "break_glass_available"]);
  });
  it("are reached with a justification, flagged", () => {
    const d = decide(set([version()], restricted), request({ breakGlassJustification: "Major trauma, transferred unconscious" }), now);
    expect(d).toMatchObject({ decision: "permit", breakGlass: true, reasons: [{ code: "patient_restricted" }, { code: "break_glass" }] });
  });
  it("a blank justification is no justification", () => {
    expect(decide(set([version()], restricted), request({ breakGlassJustification: "   " }), now).decision).toBe("break_glass_required");
  });
  it("are denied when no rule allows break-glass", () => {
    expect(decide(set([version({}, [rule({ breakGlassAllowed: false })])], restricted), request(), now)).toMatchObject({ decision: "deny", reasons: [{ code: "patient_restricted" }] });
  });
  it("are not restricted within their own trust, nor at another source trust", () => {
    expect(decide(set([], restricted), request({ requester: { trust: "RNZ" } }), now).decision).toBe("permit");
    const rhm = [{ sourceTrust: "RHM", nhsNumber: "9990000018" }];
    expect(decide(set([version()], rhm), request(), now).decision).toBe("permit");
  });
});

describe("break-glass without a restriction", () => {
  it("is asked for when only the purpose fails, then permits flagged", () => {
    const req = request({ purpose: "emergency" });
    expect(decide(set(), req, now).decision).toBe("break_glass_required");
    expect(decide(set(), { ...req, breakGlassJustification: "Unconscious patient in ED" }, now)).toMatchObject({ decision: "permit", breakGlass: true });
  });
});

describe("explain", () => {
  it("says which condition of each rule failed", () => {
    const versions = [version({}, [rule(), rule({ id: "r2", modalities: ["CT"] })]), version({ policyId: "p-pending", status: "pending_approval", approvedBy: null })];
    const e = explain(set(versions), request(), now);
    expect(e.decision.decision).toBe("permit");
    expect(e.rules.map((r) => r.outcome)).toEqual(["applies", "does_not_apply"]);
    expect(e.rules[1]?.checks.filter((c) => !c.met).map((c) => c.condition)).toEqual(["modality"]);
    expect(e.inactiveVersions).toEqual([expect.objectContaining({ policyId: "p-pending", status: "pending_approval" })]);
  });
  it("marks rules that apply only by break-glass", () => {
    const e = explain(set(), request({ purpose: "emergency" }), now);
    expect(e.rules[0]?.outcome).toBe("break_glass_only");
  });
});
