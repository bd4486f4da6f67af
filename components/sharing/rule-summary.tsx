import type { StoredRule } from "@/lib/vocabulary";
import { purposeLabel, roleLabel } from "@/lib/labels";

/** A rule in words, as a definition list. */
export function RuleSummary({ rule, index }: { rule: StoredRule; index: number }) {
  const rows: [string, string][] = [
    ["Effect", rule.effect === "permit" ? "Permit" : "Deny (overrides any permit)"],
    ["Requester trusts", rule.targetTrusts.join(", ")],
    ["Roles", rule.requesterRoles.map(roleLabel).join(", ")],
    ["Modalities", rule.modalities.join(", ")],
    ["Purposes", rule.purposes.map(purposeLabel).join(", ")],
    ["Study age", rule.maxStudyAgeYears === null ? "Any" : `Up to ${rule.maxStudyAgeYears} years`],
    ["Legitimate relationship", rule.requiresRelationship ? "Required" : "Not required"],
    ["Break-glass", rule.breakGlassAllowed ? "Allowed" : "Not allowed"],
  ];
  return (
    <section aria-label={`Rule ${index + 1}`} className="rounded border border-line bg-white p-4">
      <h3 className="mb-2 font-semibold">Rule {index + 1}</h3>
      <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-muted">{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
