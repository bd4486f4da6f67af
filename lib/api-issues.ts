// How the machine API names what is wrong in a request: one issue type for the JSON and the FHIR
// doors, the batch ingest's conflicts and the access decisions. Pure: below every area that
// reports issues, so none of them needs the API's door (lib/api/) to name one.
import type { z } from "zod";
import { AppError } from "@/lib/errors";

/** One problem in a request body: its dotted path and, in a batch, the item's index and the field within it. */
export type ApiIssue = { path: string; item?: number; field: string; message: string };

/**
 * Zod issues as the API reports them: the dotted path, and for batches the item's index and the
 * field within it ("events.3.patient.nhsNumber" → item 3, field "patient.nhsNumber").
 */
export function apiIssues(error: z.ZodError, batchKey?: string): ApiIssue[] {
  return error.issues.map((issue) => issueAt(issue.path.map(String), issue.message, batchKey));
}

/** How the door names a place in a body: for a batch, the item and the field within it. */
export type IssueAt = (path: string[], message: string) => ApiIssue;

/** An issue at a path; under a batch (a list at the top: `events.3.…`) it names the item and the field within it. */
export function issueAt(path: string[], message: string, batchKey: string | undefined): ApiIssue {
  const isItem = batchKey !== undefined && path[0] === batchKey && path.length > 1 && /^\d+$/.test(path[1] ?? "");
  return {
    path: path.join("."),
    ...(isItem ? { item: Number(path[1]) } : {}),
    field: (isItem ? path.slice(2) : path).join(".") || "(body)",
    message,
  };
}

/** The 4xx for a body with these problems; the message names the first item and field. */
export function invalidRequest(issues: ApiIssue[]): AppError {
  const first = issues[0];
  const where = first ? (first.item !== undefined ? `item ${first.item}, field ${first.field}` : `field ${first.field}`) : "the body";
  return new AppError("VALIDATION", `Invalid request: ${where}: ${first?.message ?? "invalid"}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""}.`, { issues });
}
