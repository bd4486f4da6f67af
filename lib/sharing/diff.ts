// The side-by-side difference of two policy versions, rule by rule (rules keep their id across
// versions). Pure: the page renders what this returns.
import { formatDate } from "@/lib/calendar";
import type { StoredRule } from "@/lib/vocabulary";

export type DiffRow = { label: string; before: string; after: string; change: "same" | "changed" | "added" | "removed" };
export type DiffSection = { title: string; rows: DiffRow[] };

type VersionLike = { version: number; effectiveFrom: Date; effectiveUntil: Date | null; changeNote: string; rules: StoredRule[] };

/** A window's boundary as the London day it starts, as people read a date: 1 Apr 2026. */
const day = (d: Date | null) => (d ? formatDate(d) : "no end date");

function ruleFields(rule: StoredRule, labels: { role: (r: string) => string; purpose: (p: string) => string }): [string, string][] {
  return [
    ["Effect", rule.effect],
    ["Requester trusts", rule.targetTrusts.join(", ")],
    ["Roles", rule.requesterRoles.map(labels.role).join(", ")],
    ["Modalities", rule.modalities.join(", ")],
    ["Purposes", rule.purposes.map(labels.purpose).join(", ")],
    ["Maximum study age", rule.maxStudyAgeYears === null ? "any" : `${rule.maxStudyAgeYears} years`],
    ["Legitimate relationship", rule.requiresRelationship ? "required" : "not required"],
    ["Break-glass", rule.breakGlassAllowed ? "allowed" : "not allowed"],
  ];
}

function row(label: string, before: string | null, after: string | null): DiffRow {
  if (before === null) return { label, before: "", after: after ?? "", change: "added" };
  if (after === null) return { label, before, after: "", change: "removed" };
  return { label, before, after, change: before === after ? "same" : "changed" };
}

/** Sections of rows comparing `before` (null: nothing yet) with `after`. */
export function diffVersions(before: VersionLike | null, after: VersionLike, labels: { role: (r: string) => string; purpose: (p: string) => string }): DiffSection[] {
  const sections: DiffSection[] = [
    {
      title: "Version",
      rows: [
        row("In effect from", before ? day(before.effectiveFrom) : null, day(after.effectiveFrom)),
        row("Until", before ? day(before.effectiveUntil) : null, day(after.effectiveUntil)),
        row("Note", before ? before.changeNote : null, after.changeNote),
      ],
    },
  ];
  const beforeRules = new Map((before?.rules ?? []).map((r, i) => [r.id, { r, i }]));
  const afterRules = new Map(after.rules.map((r, i) => [r.id, { r, i }]));
  const ids = [...new Set([...after.rules.map((r) => r.id), ...(before?.rules ?? []).map((r) => r.id)])];
  for (const id of ids) {
    const b = beforeRules.get(id);
    const a = afterRules.get(id);
    const bf = b ? ruleFields(b.r, labels) : null;
    const af = a ? ruleFields(a.r, labels) : null;
    const labelsOf = (af ?? bf ?? []).map(([k]) => k);
    const title = a && b ? `Rule ${a.i + 1}` : a ? `Rule ${a.i + 1} (new)` : `Rule ${(b?.i ?? 0) + 1} of v${before?.version} (removed)`;
    sections.push({
      title,
      rows: labelsOf.map((label, k) => row(label, bf ? (bf[k]?.[1] ?? "") : null, af ? (af[k]?.[1] ?? "") : null)),
    });
  }
  return sections;
}
