// The PACS-neutral side of an image archive: what the connector (connector.ts) needs from any
// archive, whatever its make. Orthanc is the first adapter (orthanc.ts); a second archive (dcm4chee,
// a commercial PACS) is a second implementation of `Archive`, not a change to the connector.
// Pure types and helpers: no database, no HTTP.
import { isValidNhsNumber } from "@/lib/nhs-number";

/** One entry of an archive's change feed, in feed order. `seq` is the cursor to resume after. */
export type ArchiveChange =
  | { seq: number; kind: "study-stable"; studyId: string }
  | { seq: number; kind: "study-deleted"; studyId: string };

/** A page of the change feed after a cursor; `last` is the cursor after this page, `done` whether the feed is exhausted. */
type ChangePage = { changes: ArchiveChange[]; last: number; done: boolean };

/** What Mosaic learns about one study the archive holds. */
export type StudyFacts = {
  /** The archive's own id of the study (how its feed and deletions name it). */
  archiveId: string;
  studyInstanceUid: string;
  accessionNumber: string | null;
  patientId: string | null;
  issuerOfPatientId: string | null;
  /** The patient's NHS number when the archive's patient id is recognisably one (10 digits, modulus 11). */
  nhsNumber: string | null;
  /** Modalities of the study's series, most instances first. */
  modalities: string[];
  /** The study date and time as an instant (the site's wall clock, in London), or null when absent or not a date. */
  performedAt: Date | null;
  /** Calling AE titles of the devices that stored its instances, most instances first. */
  callingAeTitles: string[];
  instanceCount: number;
  sizeBytes: number;
};

/** An image archive as the connector sees it. Every answer is validated; garbage throws an ArchiveError naming the field. */
export type Archive = {
  /** A stable name for this archive (the connector's cursor and the study rows are kept per archive). */
  readonly name: string;
  /** Up to `limit` changes after `cursor` (0: from the start). */
  changesAfter(cursor: number, limit: number): Promise<ChangePage>;
  /** What the archive knows of one study. */
  studyFacts(archiveId: string): Promise<StudyFacts>;
  /** How many studies the archive holds now (a cheap check for deletions the feed does not report). */
  studyCount(): Promise<number>;
  /** The ids of every study the archive holds, a page at a time. */
  studyIds(): AsyncIterable<string[]>;
};

/** The archive answered something we could not use: the request and the field are named. */
export class ArchiveError extends Error {
  constructor(
    readonly archive: string,
    readonly request: string,
    readonly field: string | null,
    message: string,
    /** The HTTP status when the archive refused the request (404: no such resource, any longer). */
    readonly status: number | null = null,
  ) {
    super(`${archive} ${request}: ${field ? `${field}: ` : ""}${message}`);
    this.name = "ArchiveError";
  }
}

/**
 * The NHS number in a patient id, when it is recognisably one: ten digits (spaces or dashes
 * allowed) passing the modulus-11 check, and an issuer that is absent or names the NHS. A hospital
 * number with a valid-looking check digit under another issuer is not taken for one.
 */
export function nhsNumberOf(patientId: string | null, issuer: string | null): string | null {
  if (!patientId) return null;
  if (issuer && !/nhs/i.test(issuer)) return null;
  const digits = patientId.replace(/[\s-]/g, "");
  return isValidNhsNumber(digits) ? digits : null;
}

/** Distinct values ordered by how often they occur (most first; ties in first-seen order). */
export function byFrequency(values: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([v]) => v);
}
