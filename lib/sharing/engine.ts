// The access-decision engine: a pure function from (request, policy set, restrictions, now) to a
// decision with the policy version and reasons that decided it. No database, no clock of its own:
// the caller passes `now`, so the same inputs always give the same answer.
//
// The laws (tested as properties in tests/unit/sharing-engine.property.test.ts):
// - access within the requester's own trust is permitted (`same_trust`);
// - across trusts, nothing is permitted unless an active, approved, in-window rule of the source
//   trust matches every condition of the request;
// - a matching deny rule overrides every permit, break-glass included;
// - a restricted patient is reached across trusts only by break-glass, with a justification;
// - break-glass needs a rule that allows it and matches trust, role, modality, study age and
//   window; it waives the legitimate relationship, and the purpose only for an emergency;
// - the answer does not depend on the order of policies or rules.
import type { DecisionOutcome, RuleEffect, VersionStatus } from "@/lib/vocabulary";
import { formatDate } from "@/lib/calendar";

/** One rule of a policy version, as stored. */
export type RuleInput = {
  id: string;
  effect: RuleEffect;
  /** ODS codes of the trusts whose staff the rule is about. */
  targetTrusts: readonly string[];
  requesterRoles: readonly string[];
  modalities: readonly string[];
  purposes: readonly string[];
  /** Studies older than this many years are out of the rule; null: any age. */
  maxStudyAgeYears: number | null;
  /** The patient must have an episode at the requester's trust. */
  requiresRelationship: boolean;
  breakGlassAllowed: boolean;
};

/** One version of a policy with its rules, as stored (any status: the compiler keeps only what may decide). */
export type PolicyVersionInput = {
  policyId: string;
  policyName: string;
  version: number;
  /** ODS code of the data controller whose images the policy shares. */
  sourceTrust: string;
  status: VersionStatus;
  approvedBy: string | null;
  effectiveFrom: Date;
  effectiveUntil: Date | null;
  rules: readonly RuleInput[];
};

/** A restricted NHS number at one source trust. */
export type RestrictionInput = { sourceTrust: string; nhsNumber: string };

/** The requester as Mosaic knows them: status null is a user Mosaic does not know. */
type Requester = {
  user: string;
  trust: string;
  status: "active" | "suspended" | "left" | null;
  /** Roles the user holds now at the requester's trust (or consortium-wide). */
  roles: readonly string[];
};

export type DecisionRequest = {
  requester: Requester;
  study: {
    sourceTrust: string;
    modality: string;
    /** YYYY-MM-DD */
    studyDate: string;
    studyInstanceUid?: string | null;
    patientNhsNumber?: string | null;
  };
  purpose: string;
  patientEpisodeTrusts: readonly string[];
  breakGlassJustification: string | null;
};

export type ReasonCode =
  | "same_trust"
  | "unknown_user"
  | "user_inactive"
  | "no_role_at_trust"
  | "permitted_by_rule"
  | "denied_by_rule"
  | "no_permitting_rule"
  | "patient_restricted"
  | "break_glass_available"
  | "break_glass";

type Reason = { code: ReasonCode; message: string };

export type Decision = {
  decision: DecisionOutcome;
  policy: { id: string; version: number } | null;
  reasons: Reason[];
  /** True when the permit came by break-glass: the PACS and the audit trail flag it. */
  breakGlass: boolean;
};

/** A rule ready for matching: sets as bit masks, the window as epoch milliseconds. */
type CompiledRule = {
  policyId: string;
  policyName: string;
  version: number;
  ruleId: string;
  ruleIndex: number;
  sourceTrust: string;
  targetTrusts: readonly string[];
  effect: RuleEffect;
  roleMask: number;
  modalityMask: number;
  purposeMask: number;
  maxStudyAgeYears: number | null;
  requiresRelationship: boolean;
  breakGlassAllowed: boolean;
  from: number;
  until: number;
  rule: RuleInput;
};

/** A version that can never decide (unapproved, superseded, revoked), kept for explanations. */
type InactiveVersion = { policyId: string; policyName: string; version: number; sourceTrust: string; status: VersionStatus; approved: boolean };

/** The active policy set compiled into an index by source trust, then requester trust. */
export type CompiledPolicySet = {
  index: Map<string, Map<string, CompiledRule[]>>;
  /** Every decisive rule of a source trust, whatever its targets (for explanations). */
  bySource: Map<string, CompiledRule[]>;
  inactive: Map<string, InactiveVersion[]>;
  restricted: Set<string>;
  bits: { roles: Map<string, number>; modalities: Map<string, number>; purposes: Map<string, number> };
  ruleCount: number;
};

const EMPTY: readonly CompiledRule[] = [];

function bitsFor(values: Iterable<string>): Map<string, number> {
  const sorted = [...new Set(values)].sort();
  if (sorted.length > 30) throw new Error(`too many distinct values for a bit mask: ${sorted.length}`);
  return new Map(sorted.map((v, i) => [v, 1 << i]));
}

function maskOf(bits: Map<string, number>, values: readonly string[]): number {
  let mask = 0;
  for (const v of values) mask |= bits.get(v) ?? 0;
  return mask;
}

const restrictionKey = (sourceTrust: string, nhsNumber: string) => `${sourceTrust}|${nhsNumber}`;

/** Deny rules first, then a fixed order that does not depend on how the policies were listed. */
function compareRules(a: CompiledRule, b: CompiledRule): number {
  if (a.effect !== b.effect) return a.effect === "deny" ? -1 : 1;
  if (a.policyId !== b.policyId) return a.policyId < b.policyId ? -1 : 1;
  if (a.version !== b.version) return a.version - b.version;
  if (a.ruleIndex !== b.ruleIndex) return a.ruleIndex - b.ruleIndex;
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}

/** May this version decide anything? Only an approved, active one (its window is checked per request). */
function isDecisive(v: Pick<PolicyVersionInput, "status" | "approvedBy">): boolean {
  return v.status === "active" && v.approvedBy !== null;
}

/**
 * Compiles versions and restrictions into the index a decision reads. Versions that are not active
 * and approved are left out of the index, so they can never permit.
 */
export function compilePolicySet(versions: readonly PolicyVersionInput[], restrictions: readonly RestrictionInput[]): CompiledPolicySet {
  const decisive = versions.filter(isDecisive);
  const allRules = decisive.flatMap((v) => v.rules);
  const bits = {
    roles: bitsFor(allRules.flatMap((r) => r.requesterRoles)),
    modalities: bitsFor(allRules.flatMap((r) => r.modalities)),
    purposes: bitsFor(allRules.flatMap((r) => r.purposes)),
  };
  const index = new Map<string, Map<string, CompiledRule[]>>();
  const bySource = new Map<string, CompiledRule[]>();
  let ruleCount = 0;
  for (const v of decisive) {
    v.rules.forEach((rule, ruleIndex) => {
      const compiled: CompiledRule = {
        policyId: v.policyId,
        policyName: v.policyName,
        version: v.version,
        ruleId: rule.id,
        ruleIndex,
        sourceTrust: v.sourceTrust,
        targetTrusts: rule.targetTrusts,
        effect: rule.effect,
        roleMask: maskOf(bits.roles, rule.requesterRoles),
        modalityMask: maskOf(bits.modalities, rule.modalities),
        purposeMask: maskOf(bits.purposes, rule.purposes),
        maxStudyAgeYears: rule.maxStudyAgeYears,
        requiresRelationship: rule.requiresRelationship,
        breakGlassAllowed: rule.effect === "permit" && rule.breakGlassAllowed,
        from: v.effectiveFrom.getTime(),
        until: v.effectiveUntil ? v.effectiveUntil.getTime() : Number.POSITIVE_INFINITY,
        rule,
      };
      ruleCount++;
      let sourceList = bySource.get(v.sourceTrust);
      if (!sourceList) bySource.set(v.sourceTrust, (sourceList = []));
      sourceList.push(compiled);
      let byTarget = index.get(v.sourceTrust);
      if (!byTarget) index.set(v.sourceTrust, (byTarget = new Map()));
      for (const target of new Set(rule.targetTrusts)) {
        let list = byTarget.get(target);
        if (!list) byTarget.set(target, (list = []));
        list.push(compiled);
      }
    });
  }
  for (const byTarget of index.values()) for (const list of byTarget.values()) list.sort(compareRules);
  for (const list of bySource.values()) list.sort(compareRules);

  const inactive = new Map<string, InactiveVersion[]>();
  for (const v of versions) {
    if (isDecisive(v)) continue;
    let list = inactive.get(v.sourceTrust);
    if (!list) inactive.set(v.sourceTrust, (list = []));
    list.push({ policyId: v.policyId, policyName: v.policyName, version: v.version, sourceTrust: v.sourceTrust, status: v.status, approved: v.approvedBy !== null });
  }
  for (const list of inactive.values()) list.sort((a, b) => (a.policyId < b.policyId ? -1 : a.policyId > b.policyId ? 1 : a.version - b.version));

  return {
    index,
    bySource,
    inactive,
    restricted: new Set(restrictions.map((r) => restrictionKey(r.sourceTrust, r.nhsNumber))),
    bits,
    ruleCount,
  };
}

/** The earliest study date (YYYY-MM-DD) a rule with this maximum age still covers at `now`. */
function cutoffDate(now: Date, years: number, nowIso = now.toISOString()): string {
  const year = Number(nowIso.slice(0, 4)) - years;
  return `${String(year).padStart(4, "0")}${nowIso.slice(4, 10)}`;
}

function policyOf(rule: CompiledRule) {
  return { id: rule.policyId, version: rule.version };
}

function ruleLabel(rule: CompiledRule): string {
  return `rule ${rule.ruleIndex + 1} of "${rule.policyName}" v${rule.version}`;
}

/** Checks of the requester that come before any rule: unknown, inactive, or no role at their trust. */
function requesterRefusal(request: DecisionRequest): Decision | null {
  const { requester } = request;
  if (requester.status === null) {
    return deny([{ code: "unknown_user", message: `Mosaic does not know the user ${requester.user}.` }]);
  }
  if (requester.status !== "active") {
    return deny([{ code: "user_inactive", message: `The user ${requester.user} is ${requester.status === "left" ? "no longer with the trust" : "suspended"}.` }]);
  }
  if (requester.roles.length === 0) {
    return deny([{ code: "no_role_at_trust", message: `The user ${requester.user} holds no current role at ${requester.trust}.` }]);
  }
  return null;
}

function deny(reasons: Reason[], policy: Decision["policy"] = null): Decision {
  return { decision: "deny", policy, reasons, breakGlass: false };
}

/**
 * Decides one request against a compiled policy set at `now`. Runs in microseconds: one map lookup
 * for the (source, requester) trust pair, then bit tests per rule of that pair.
 */
export function decide(set: CompiledPolicySet, request: DecisionRequest, now: Date): Decision {
  const refused = requesterRefusal(request);
  if (refused) return refused;
  const { requester, study } = request;
  if (requester.trust === study.sourceTrust) {
    return { decision: "permit", policy: null, reasons: [{ code: "same_trust", message: `The study belongs to the requester's own trust (${requester.trust}).` }], breakGlass: false };
  }

  const rules = set.index.get(study.sourceTrust)?.get(requester.trust) ?? EMPTY;
  const nowMs = now.getTime();
  const roleMask = maskOf(set.bits.roles, requester.roles);
  const modalityBit = set.bits.modalities.get(study.modality) ?? 0;
  const purposeBit = set.bits.purposes.get(request.purpose) ?? 0;
  const hasRelationship = request.patientEpisodeTrusts.includes(requester.trust);
  const isEmergency = request.purpose === "emergency";
  let permitRule: CompiledRule | undefined;
  let breakGlassRule: CompiledRule | undefined;
  let nowIso: string | undefined;

  for (const rule of rules) {
    if (nowMs < rule.from || nowMs >= rule.until) continue;
    if ((rule.roleMask & roleMask) === 0 || (rule.modalityMask & modalityBit) === 0) continue;
    if (rule.maxStudyAgeYears !== null && study.studyDate < cutoffDate(now, rule.maxStudyAgeYears, (nowIso ??= now.toISOString()))) continue;
    if ((rule.purposeMask & purposeBit) !== 0 && (hasRelationship || !rule.requiresRelationship)) {
      if (rule.effect === "deny") {
        return deny([{ code: "denied_by_rule", message: `Denied by ${ruleLabel(rule)} of ${rule.sourceTrust}.` }], policyOf(rule));
      }
      permitRule ??= rule;
    }
    // Break-glass waives the legitimate relationship (and a restriction), and admits an emergency
    // under any purpose of the rule; never the trust, role, modality, study age or window, and
    // never a purpose such as research or teaching that the rule does not list.
    if (rule.breakGlassAllowed && ((rule.purposeMask & purposeBit) !== 0 || isEmergency)) breakGlassRule ??= rule;
  }

  const nhs = study.patientNhsNumber;
  const restricted = Boolean(nhs) && set.restricted.has(restrictionKey(study.sourceTrust, nhs as string));
  if (permitRule && !restricted) {
    return { decision: "permit", policy: policyOf(permitRule), reasons: [{ code: "permitted_by_rule", message: `Permitted by ${ruleLabel(permitRule)} of ${permitRule.sourceTrust}.` }], breakGlass: false };
  }
  const why: Reason = restricted
    ? { code: "patient_restricted", message: `${study.sourceTrust} has restricted this patient's records: only break-glass reaches them from another trust.` }
    : { code: "no_permitting_rule", message: `No active policy of ${study.sourceTrust} permits this request from ${requester.trust}.` };
  if (!breakGlassRule) return deny([why]);
  const justification = request.breakGlassJustification?.trim();
  if (!justification) {
    return {
      decision: "break_glass_required",
      policy: policyOf(breakGlassRule),
      reasons: [why, { code: "break_glass_available", message: `Break-glass is allowed by ${ruleLabel(breakGlassRule)}: give a justification to proceed.` }],
      breakGlass: false,
    };
  }
  return {
    decision: "permit",
    policy: policyOf(breakGlassRule),
    reasons: [why, { code: "break_glass", message: `Permitted by break-glass under ${ruleLabel(breakGlassRule)}; the access is flagged for review.` }],
    breakGlass: true,
  };
}

/** One condition of a rule and whether the request met it. */
type ConditionCheck = { condition: "window" | "target_trust" | "role" | "modality" | "study_age" | "purpose" | "relationship"; met: boolean; message: string };

type RuleExplanation = {
  policyId: string;
  policyName: string;
  version: number;
  ruleId: string;
  ruleIndex: number;
  effect: RuleEffect;
  /** applies: every condition met; break_glass_only: all but the relationship (or the purpose, in an emergency), and break-glass allowed. */
  outcome: "applies" | "break_glass_only" | "does_not_apply";
  checks: ConditionCheck[];
};

export type Explanation = {
  decision: Decision;
  rules: RuleExplanation[];
  inactiveVersions: InactiveVersion[];
  restricted: boolean;
};

const list = (values: readonly string[]) => (values.length ? values.join(", ") : "none");

/**
 * The decision with the reasons of every rule of the source trust: which conditions each met and
 * which it did not. Slower than decide() (it visits every rule), for the simulator.
 */
export function explain(set: CompiledPolicySet, request: DecisionRequest, now: Date): Explanation {
  const decision = decide(set, request, now);
  const { requester, study } = request;
  const nowMs = now.getTime();
  const rules = (set.bySource.get(study.sourceTrust) ?? EMPTY).map((rule): RuleExplanation => {
    const r = rule.rule;
    const inWindow = nowMs >= rule.from && nowMs < rule.until;
    const cutoff = r.maxStudyAgeYears === null ? null : cutoffDate(now, r.maxStudyAgeYears);
    const checks: ConditionCheck[] = [
      {
        condition: "window",
        met: inWindow,
        message: inWindow
          ? "The version is in its effective window."
          : nowMs < rule.from
            ? `The version takes effect on ${formatDate(new Date(rule.from))}.`
            : `The version expired on ${formatDate(new Date(rule.until))}.`,
      },
      { condition: "target_trust", met: r.targetTrusts.includes(requester.trust), message: `Target trusts: ${list(r.targetTrusts)}; requester's trust ${requester.trust}.` },
      { condition: "role", met: requester.roles.some((role) => r.requesterRoles.includes(role)), message: `Roles: ${list(r.requesterRoles)}; requester holds ${list(requester.roles)}.` },
      { condition: "modality", met: r.modalities.includes(study.modality), message: `Modalities: ${list(r.modalities)}; study is ${study.modality}.` },
      {
        condition: "study_age",
        met: cutoff === null || study.studyDate >= cutoff,
        message: cutoff === null ? "Studies of any age." : `Studies up to ${r.maxStudyAgeYears} years old (from ${cutoff}); study of ${study.studyDate}.`,
      },
      { condition: "purpose", met: r.purposes.includes(request.purpose), message: `Purposes: ${list(r.purposes)}; asked for ${request.purpose}.` },
      {
        condition: "relationship",
        met: !r.requiresRelationship || request.patientEpisodeTrusts.includes(requester.trust),
        message: r.requiresRelationship
          ? `Needs an episode at ${requester.trust}; the patient has episodes at ${list(request.patientEpisodeTrusts)}.`
          : "No legitimate relationship needed.",
      },
    ];
    const unmet = checks.filter((c) => !c.met).map((c) => c.condition);
    const outcome =
      unmet.length === 0
        ? "applies"
        : rule.breakGlassAllowed && unmet.every((c) => c === "relationship" || (c === "purpose" && request.purpose === "emergency"))
          ? "break_glass_only"
          : "does_not_apply";
    return { policyId: rule.policyId, policyName: rule.policyName, version: rule.version, ruleId: rule.ruleId, ruleIndex: rule.ruleIndex, effect: rule.effect, outcome, checks };
  });
  const nhs = study.patientNhsNumber;
  return {
    decision,
    rules,
    inactiveVersions: set.inactive.get(study.sourceTrust) ?? [],
    restricted: Boolean(nhs) && set.restricted.has(restrictionKey(study.sourceTrust, nhs as string)),
  };
}
