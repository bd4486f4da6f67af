import type { ErrorCode, FieldErrors } from "./errors";
import { currentRequestId, failureOf } from "./log";

export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; error: { code: ErrorCode | "INTERNAL"; message: string; fieldErrors?: FieldErrors } };

/** Runs a mutation and returns a typed result; an error goes through the one door (lib/log.ts). */
export async function toResult<T>(fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (error) {
    const failure = failureOf(error, "action", await currentRequestId());
    return { ok: false, error: { code: failure.code, message: failure.message, ...(failure.fieldErrors ? { fieldErrors: failure.fieldErrors } : {}) } };
  }
}
