import { describe, expect, it } from "vitest";
import { diffVersions } from "@/lib/sharing/diff";
import type { StoredRule } from "@/lib/vocabulary";

const rule = (overrides: Partial<StoredRule> = {}): StoredRule => ({
  id: "a",
  effect: "permit",
  targetTrusts: ["RHM", "RHU"],
  requesterRoles: ["radiologist"],
  modalities: ["CT", "MR"],
  purposes: ["mdt"],
  maxStudyAgeYears: 10,
  requiresRelationship: true,
  breakGlassAllowed: true,
  ...overrides,
});
const version = (n: number, rules: StoredRule[], until: Date | null = null) => ({ version: n, effectiveFrom: new Date("2026-04-01T00:00:00Z"), effectiveUntil: until, changeNote: `v${n}`, rules });
const labels = { role: (r: string) => r, purpose: (p: string) => p };

describe("diffVersions", () => {
  it("compares rules by id, marking changed, added and removed fields", () => {
    const before = version(1, [rule(), rule({ id: "gone", effect: "deny", purposes: ["research"], breakGlassAllowed: false })]);
    const after = version(2, [rule({ targetTrusts: ["R1F", "RHM", "RHU"] }), rule({ id: "new", modalities: ["DX"] })], new Date("2027-03-31T00:00:00Z"));
    const sections = diffVersions(before, after, labels);
    expect(sections.map((s) => s.title)).toEqual(["Version", "Rule 1", "Rule 2 (new)", "Rule 2 of v1 (removed)"]);
    const byLabel = (title: string) => Object.fromEntries((sections.find((s) => s.title === title)?.rows ?? []).map((r) => [r.label, r.change]));
    expect(byLabel("Version")).toEqual({ "In effect from": "same", Until: "changed", Note: "changed" });
    expect(byLabel("Rule 1")).toMatchObject({ "Requester trusts": "changed", Modalities: "same", Purposes: "same" });
    expect(Object.values(byLabel("Rule 2 (new)")).every((c) => c === "added")).toBe(true);
    expect(Object.values(byLabel("Rule 2 of v1 (removed)")).every((c) => c === "removed")).toBe(true);
  });

  it("shows a first version as all added", () => {
    const sections = diffVersions(null, version(1, [rule()]), labels);
    expect(sections.flatMap((s) => s.rows).every((r) => r.change === "added")).toBe(true);
  });
});
