import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { auditActionCodes } from "@/lib/audit/actions";
import { accessActions, outcomes } from "@/lib/audit/schemas";
import { searchActions } from "@/lib/audit/search-filter";
import { permissions } from "@/lib/auth/permissions";
import { apiClients } from "@/db/schema/api-clients";
import * as labels from "@/lib/labels";
import { purposeLabels, roleLabels, versionStatusLabels, restrictionReasonLabels, decisions, purposes, restrictionReasons, ruleEffects, versionStatuses, roles, modalities, userStatuses, siteStatuses, trustStatuses, alertResolutions, alertRules, alertStatuses, apiScopes, quotaRequestStatuses, storageTiers } from "@/lib/vocabulary";

// Each closed vocabulary beside its label table: a code added to a vocabulary without words for
// people fails here rather than showing raw on a page.
const vocabularies: [string, readonly string[], Readonly<Record<string, string>>][] = [
  ["audit actions", auditActionCodes, labels.actionLabels],
  ["access actions", accessActions, labels.actionLabels],
  ["searchable actions", searchActions, labels.actionLabels],
  ["outcomes", outcomes, labels.outcomeLabels],
  ["purposes", purposes, purposeLabels],
  ["roles", roles, roleLabels],
  ["policy version statuses", versionStatuses, versionStatusLabels],
  ["restriction reasons", restrictionReasons, restrictionReasonLabels],
  ["rule effects", ruleEffects, labels.ruleEffectLabels],
  ["decisions", decisions, labels.decisionLabels],
  ["alert rules", alertRules, labels.alertRuleLabels],
  ["alert statuses", alertStatuses, labels.alertStatusLabels],
  ["alert resolutions", alertResolutions, labels.resolutionLabels],
  ["severities", labels.severities, labels.severityLabels],
  ["modalities", modalities, labels.modalityLabels],
  ["user statuses", userStatuses, labels.userStatusLabels],
  ["trust statuses", trustStatuses, labels.trustStatusLabels],
  ["site statuses", siteStatuses, labels.siteStatusLabels],
  ["quota request statuses", quotaRequestStatuses, labels.quotaRequestStatusLabels],
  ["storage tiers", storageTiers, labels.storageTierLabels],
  ["API scopes", apiScopes, labels.apiScopeLabels],
  ["API client statuses", apiClients.status.enumValues, labels.apiClientStatusLabels],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

// Audit actions are written as string literals where lib/ records an event: `action: "…"`,
// `audit(tx, ctx, "…", …)`, `auditFor(…)("…")`. Permission names share the dotted shape
// ("sharing.write" beside the action in the same call) and are left out.
function auditActionsInLib(): Set<string> {
  const permissionNames = new Set<string>(permissions);
  const found = new Set<string>();
  for (const file of sourceFiles(join(process.cwd(), "lib"))) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (!/\baction\b|\baudit\w*\(/i.test(line)) continue;
      for (const [, code] of line.matchAll(/"([a-z_]+(?:\.[a-z_]+)+)"/g)) {
        if (code && (!permissionNames.has(code) || Object.hasOwn(labels.actionLabels, code))) found.add(code);
      }
    }
  }
  return found;
}

describe("labels", () => {
  it.each(vocabularies)("gives every code of %s a label", (_name, codes, table) => {
    const missing = codes.filter((c) => !Object.hasOwn(table, c) || !table[c]?.trim());
    expect(missing).toEqual([]);
  });

  it("gives every decision reason code a label other than the code", () => {
    for (const [code, label] of Object.entries(labels.reasonLabels)) expect(label).not.toBe(code);
    expect(labels.reasonLabel("permitted_by_rule")).toBe("Allowed by a rule");
  });

  it("gives every audit action written in lib/ a label", () => {
    const actions = auditActionsInLib();
    // The scan must keep finding the events it is meant to: a broken pattern would pass vacuously.
    for (const known of ["auth.mfa_enrolled", "sharing.version.approve", "alert.note", "auth.locked", "quota.decline", "api_key.rotate"]) expect(actions).toContain(known);
    const missing = [...actions].filter((a) => !Object.hasOwn(labels.actionLabels, a));
    expect(missing).toEqual([]);
  });

  it("reads an unknown code as itself and never finds a label on the prototype", () => {
    expect(labels.actionLabel("study.view")).toBe("Viewed a study");
    expect(labels.actionLabel("something.new")).toBe("something.new");
    expect(labels.roleLabel("constructor")).toBe("constructor");
    expect(labels.purposeLabel("__proto__")).toBe("__proto__");
    expect(labels.outcomeLabel(null)).toBe("");
  });
});
