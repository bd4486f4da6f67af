import type { alertRules } from "@/db/schema/audit";

type AlertRule = (typeof alertRules)[number];
type Severity = "high" | "medium" | "low";

/** The facts of one access event that the rules look at. */
export type RuleEvent = {
  occurredAt: Date;
  action: string;
  outcome: string;
  actorEmail: string;
  actorTrustId: string;
  sourceTrustId: string;
  patientNhsNumber: string;
  purpose: string;
  policyId: string | null;
  breakGlassJustification: string | null;
};

/** What the rules know beyond the event: the status of known users, and restricted patients. */
export type RuleFacts = {
  userStatus: (email: string) => "active" | "suspended" | "left" | undefined;
  isRestricted: (nhsNumber: string, sourceTrustId: string) => boolean;
};

export type RaisedAlert = { rule: AlertRule; severity: Severity; summary: string };

const londonHour = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "numeric", hourCycle: "h23" });
// London's offset from UTC in whole hours, by UTC hour (it changes only at the clock changes).
// Formatting a date is slow next to the rest of ingest, so each UTC hour is asked once.
const offsetByUtcHour = new Map<number, number>();

/** Night hours in England (23:00 to 06:00 local time), when routine browsing is unusual. */
function isNightInLondon(at: Date): boolean {
  const utcHour = Math.floor(at.getTime() / 3_600_000);
  let offset = offsetByUtcHour.get(utcHour);
  if (offset === undefined) {
    offset = (Number(londonHour.format(at)) - at.getUTCHours() + 24) % 24;
    if (offsetByUtcHour.size > 100_000) offsetByUtcHour.clear();
    offsetByUtcHour.set(utcHour, offset);
  }
  const hour = (at.getUTCHours() + offset) % 24;
  return hour >= 23 || hour < 6;
}

const viewing = new Set(["study.view", "study.retrieve", "study.download", "study.export", "study.print", "study.share", "report.view"]);

/**
 * The alert rules that fire on one event, as it is ingested. Each returns a plain-language summary
 * an IG officer can act on. (The "far more patients than usual" rule needs a day of history and
 * runs as a scan: lib/audit/volume-scan.ts.)
 */
export function alertsFor(event: RuleEvent, facts: RuleFacts): RaisedAlert[] {
  const raised: RaisedAlert[] = [];
  if (!viewing.has(event.action) || event.outcome !== "success") {
    // Refused or failed attempts by a departed user are still worth a look.
    const status = facts.userStatus(event.actorEmail);
    if (status && status !== "active") {
      raised.push({ rule: "inactive_user", severity: "high", summary: `Attempt by ${event.actorEmail}, whose account is ${status === "left" ? "closed (leaver)" : "suspended"}.` });
    }
    return raised;
  }
  const crossTrust = event.actorTrustId !== event.sourceTrustId;
  if (event.breakGlassJustification) {
    raised.push({ rule: "break_glass", severity: "medium", summary: `Break-glass access by ${event.actorEmail}: "${event.breakGlassJustification.slice(0, 200)}"` });
  }
  if (crossTrust && !event.policyId && !event.breakGlassJustification) {
    raised.push({ rule: "no_legitimate_basis", severity: "high", summary: `Cross-trust access by ${event.actorEmail} with no sharing policy and no break-glass.` });
  }
  const status = facts.userStatus(event.actorEmail);
  if (status && status !== "active") {
    raised.push({ rule: "inactive_user", severity: "high", summary: `Access by ${event.actorEmail}, whose account is ${status === "left" ? "closed (leaver)" : "suspended"}.` });
  }
  if (crossTrust && facts.isRestricted(event.patientNhsNumber, event.sourceTrustId)) {
    raised.push({ rule: "restricted_patient", severity: "high", summary: `Access from another trust to a restricted patient by ${event.actorEmail}.` });
  }
  if (event.purpose !== "emergency" && isNightInLondon(event.occurredAt)) {
    raised.push({ rule: "out_of_hours", severity: "low", summary: `Night-time access (${event.purpose.replace("_", " ")}) by ${event.actorEmail}.` });
  }
  return raised;
}
