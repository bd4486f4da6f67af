import "server-only";
import type { z } from "zod";
import type { Ctx } from "@/lib/auth/context";
import { AppError, validationError } from "@/lib/errors";
import { toResult, type ActionResult } from "@/lib/result";
import { textProblems } from "@/lib/text-input";
import { withTenant, type Tx } from "./scope";

/**
 * The one shape of a change made by a person: parse the input with zod, then run the handler in
 * one scoped transaction. The handler checks its permission (it knows the trust only once the
 * input is parsed), writes, and records the audit event in the same transaction.
 */
export function mutation<S extends z.ZodType, T>(
  ctx: Ctx,
  schema: S,
  input: unknown,
  handler: (tx: Tx, data: z.output<S>) => Promise<T>,
): Promise<ActionResult<T>> {
  return toResult(async () => {
    const refused = textProblems(input);
    if (refused.length) throw new AppError("VALIDATION", "Some fields need attention.", { fieldErrors: Object.fromEntries(refused.map((p) => [p.path.join(".") || "_form", [p.message]])) });
    const parsed = schema.safeParse(input);
    if (!parsed.success) throw validationError(parsed.error);
    const data = parsed.data;
    return withTenant(ctx, (tx) => handler(tx, data));
  });
}

/** Is this database error a unique violation (optionally of one constraint)? Works for both drivers. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const { code, constraint: c, constraint_name: cn } = e as { code?: string; constraint?: string; constraint_name?: string };
    if (code === "23505") return !constraint || c === constraint || cn === constraint || String((e as Error).message).includes(constraint);
  }
  return false;
}
