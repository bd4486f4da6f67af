/** The fields of an audit event that the hash chain covers, in the form they are stored. */
export type ChainedFields = {
  id: string;
  chain: string;
  seq: number;
  occurredAt: Date;
  recordedAt: Date;
  action: string;
  outcome: string;
  actorUserId: string | null;
  actorEmail: string | null;
  actorTrustId: string | null;
  actorRole: string | null;
  sourceTrustId: string | null;
  patientNhsNumber: string | null;
  studyInstanceUid: string | null;
  accessionNumber: string | null;
  modality: string | null;
  purpose: string | null;
  policyId: string | null;
  policyVersion: number | null;
  breakGlassJustification: string | null;
  ip: string | null;
  workstation: string | null;
  targetType: string | null;
  targetId: string | null;
  details: unknown;
};

function canonicalValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonicalValue(v);
    }
    return out;
  }
  return value;
}

/** Exactly the fields the hash covers, whatever else the object carries (a row read back has more). */
export const chainedFieldNames = [
  "id", "chain", "seq", "occurredAt", "recordedAt", "action", "outcome", "actorUserId", "actorEmail", "actorTrustId",
  "actorRole", "sourceTrustId", "patientNhsNumber", "studyInstanceUid", "accessionNumber", "modality", "purpose",
  "policyId", "policyVersion", "breakGlassJustification", "ip", "workstation", "targetType", "targetId", "details",
] as const satisfies readonly (keyof ChainedFields)[];

/**
 * The canonical encoding: JSON with keys sorted at every depth, timestamps as UTC ISO strings
 * with milliseconds, absent fields as null (absent keys inside details are left out, as JSON
 * does). The same event read back from either database encodes to the same string (jsonb reorders keys; sorting makes that harmless).
 */
export function canonicalEncode(event: ChainedFields): string {
  // Written out field by field rather than as JSON.stringify of a sorted copy: the same text, made
  // without an object per event (this runs for every event ingested).
  let out = "";
  for (let i = 0; i < sortedFieldNames.length; i++) {
    const name = sortedFieldNames[i]!;
    const value = event[name];
    // Only details is nested; the other fields are strings, numbers, dates or null.
    out +=
      fieldPrefixes[i] +
      (value === null || value === undefined ? "null" : value instanceof Date ? `"${value.toISOString()}"` : JSON.stringify(name === "details" ? canonicalValue(value) : value));
  }
  return `${out}}`;
}

// Sorted once, with each field's `,"name":` ready.
const sortedFieldNames = [...chainedFieldNames].sort();
const fieldPrefixes = sortedFieldNames.map((name, i) => `${i === 0 ? "{" : ","}${JSON.stringify(name)}:`);
