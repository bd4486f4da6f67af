import { z } from "zod";
import { userStatuses } from "@/db/schema/identity";
import { roles } from "@/lib/vocabulary";
import { parseDay, type Day } from "@/lib/calendar";
import { isStorableText } from "@/lib/text-input";
import { jobRoleCodePattern } from "./job-roles";

const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const email = z
  .string({ error: "Enter the email address." })
  .trim()
  .toLowerCase()
  .max(254, "An email address can be at most 254 characters.")
  .pipe(z.email({ error: "Enter an email address like name@trust.nhs.uk." }));

export const personName = z
  .string({ error: "Enter the person's name." })
  .trim()
  .min(2, "Enter the person's full name.")
  .max(200, "A name can be at most 200 characters.");

/**
 * A London calendar day (the form's type=date, or a CSV's YYYY-MM-DD or DD/MM/YYYY) as YYYY-MM-DD.
 * It stays a day here: the instants it starts and ends at are the calendar module's to compute.
 */
export const calendarDate = (what: string) =>
  z
    .string({ error: `Enter the ${what}.` })
    .trim()
    .transform((s, ctx): Day => {
      const day = parseDay(s);
      if (!day) {
        ctx.addIssue({ code: "custom", message: `Enter the ${what} as a real date, for example 2026-08-05.` });
        return z.NEVER;
      }
      return day;
    });

const optionalUuid = (message: string) => z.preprocess(emptyToUndefined, z.uuid({ error: message }).optional());

/** A new user: who they are and their home trust (empty = consortium staff, administrators only). */
export const userInput = z.object({
  name: personName,
  email,
  homeTrustId: optionalUuid("Choose the home trust."),
});

/** A role to grant: to a user by id (their page) or by exact email (someone from another trust). */
export const roleGrantInput = z
  .object({
    userId: optionalUuid("Choose the person."),
    email: z.preprocess(emptyToUndefined, email.optional()),
    role: z.enum(roles, { error: "Choose a role." }),
    // Empty = the whole consortium (consortium administrators only).
    trustId: optionalUuid("Choose the trust."),
    departmentId: optionalUuid("Choose a department of this trust."),
    jobRoleCode: z.preprocess(
      emptyToUndefined,
      z.string().trim().toUpperCase().regex(jobRoleCodePattern, "A national job-role code is R and four digits, for example R8000.").optional(),
    ),
    validFrom: calendarDate("first day"),
    validUntil: z.preprocess(emptyToUndefined, calendarDate("last day").optional()),
  })
  .refine((d) => d.userId || d.email, { path: ["email"], message: "Enter the person's email address." })
  .refine((d) => !d.validUntil || d.validUntil >= d.validFrom, { path: ["validUntil"], message: "The last day must be on or after the first day." });
export type RoleGrantInput = z.infer<typeof roleGrantInput>;

export const roleRevokeInput = z.object({ assignmentId: z.uuid({ error: "Choose the role to end." }) });

/** The users list's filters and cursor, from the address bar. Unknown values are ignored, not errors. */
export const userFilter = z.object({
  q: z.string().trim().max(100).refine(isStorableText).catch("").default(""),
  role: z.enum(roles).optional().catch(undefined),
  status: z.enum(userStatuses).optional().catch(undefined),
  trust: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{3,5}$/)
    .optional()
    .catch(undefined),
  department: z.uuid().optional().catch(undefined),
  view: z.enum(["all", "ending-soon", "recent"]).catch("all").default("all"),
  after: z.string().max(400).optional().catch(undefined),
  before: z.string().max(400).optional().catch(undefined),
});
export type UserFilter = z.infer<typeof userFilter>;

/** The filters as they appear in the address bar (without the cursor). */
export function filterQuery(filter: UserFilter, extra: Record<string, string> = {}): URLSearchParams {
  const entries: [string, string][] = [];
  for (const key of ["q", "role", "status", "trust", "department"] as const) {
    const v = filter[key];
    if (v) entries.push([key, v]);
  }
  if (filter.view !== "all") entries.push(["view", filter.view]);
  return new URLSearchParams([...entries, ...Object.entries(extra)]);
}

/** A keyset cursor: the (name, id) of the row to continue after or before, base64url-encoded. */
export function encodeCursor(row: { name: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.name, row.id])).toString("base64url");
}

export function decodeCursor(cursor: string | undefined): { name: string; id: string } | null {
  if (!cursor) return null;
  try {
    const [name, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof name !== "string" || !z.uuid().safeParse(id).success) return null;
    return { name, id: id as string };
  } catch {
    return null;
  }
}

/** A role's new last day (a London day, later than the one it has): "extend" from roles ending soon. */
export const roleExtendInput = z.object({
  assignmentId: z.uuid({ error: "Choose the role to extend." }),
  validUntil: calendarDate("new last day"),
});

/** Why a person is suspended: required, kept in their history (the audit event). */
export const suspendInput = z.object({
  reason: z
    .string({ error: "Say why the account is suspended." })
    .trim()
    .min(3, "Say why the account is suspended (at least 3 characters).")
    .max(500, "A reason can be at most 500 characters."),
});

/** A person's last working day (a London day; empty clears a leaving date set earlier). */
export const leavingDateInput = z.object({
  lastDay: z.preprocess(emptyToUndefined, calendarDate("last working day").optional()),
});
