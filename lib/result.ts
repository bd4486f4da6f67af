import { AppError, type ErrorCode, type FieldErrors } from "./errors";

export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; error: { code: ErrorCode | "INTERNAL"; message: string; fieldErrors?: FieldErrors } };

/** Runs a mutation and returns a typed result; unexpected errors are logged and shown generically. */
export async function toResult<T>(fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (error) {
    if (error instanceof AppError) {
      return { ok: false, error: { code: error.code, message: error.message, fieldErrors: error.details?.fieldErrors } };
    }
    const ref = crypto.randomUUID();
    console.error(`[mosaic] unexpected error ${ref}`, error);
    return { ok: false, error: { code: "INTERNAL", message: `Something went wrong (reference ${ref}). Nothing was saved.` } };
  }
}
