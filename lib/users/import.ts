import "server-only";
import { parse } from "csv-parse/sync";
import { and, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import { departments, roleAssignments, users } from "@/db/schema";
import { roleFor, trustsWhere, type Ctx } from "@/lib/auth/context";
import { roleLabels, roles, type Role } from "@/lib/vocabulary";
import { actorOf, recordAuditEvent } from "@/lib/audit/record";
import { withSystemScopeWithin, withTenant, type Tx } from "@/lib/db/scope";
import { endOfLondonDay, londonDayStart, type Day } from "@/lib/calendar";
import { AppError } from "@/lib/errors";
import { issuePasswordToken } from "@/lib/identity/password-links";
import { isStorableText, unstorableTextMessage } from "@/lib/text-input";
import { forbiddenKeyMessage, isForbiddenKey } from "@/lib/untrusted-keys";
import { toResult } from "@/lib/result";
import { grantInTx } from "./commands";
import { decideGrant } from "./grant-rule";
import { trustDirectory } from "./queries";
import { calendarDate, email as emailSchema, personName } from "./schemas";
import importLimits from "./import-limits.json";
import { jobRoleCodePattern } from "./job-roles";

/** The columns of an import file; the first four and valid_from are required. */
export const importColumns = ["email", "name", "role", "trust", "department", "valid_from", "valid_until", "job_role_code"] as const;
const requiredColumns = ["email", "name", "role", "trust", "valid_from"] as const;
/**
 * The import's limits, one set: a file of at most 2 MB (UTF-8 bytes) and 5,000 people. They live in
 * import-limits.json so that next.config.js sizes the server actions' body limit from the same
 * figure; a larger file is refused here with the limit named, never by Next as a 500.
 */
export const importMaxRows: number = importLimits.maxRows;
export const importMaxBytes: number = importLimits.maxBytes;
const megabytes = (bytes: number) => `${(bytes / 1_000_000).toLocaleString("en-GB", { maximumFractionDigits: 1 })} MB`;
export const importTooLargeMessage = `The file is too large: import at most ${megabytes(importMaxBytes)} (${importMaxRows.toLocaleString("en-GB")} people) at a time.`;

type ImportRowAction = "create person and grant role" | "grant role to existing person" | "already imported: nothing to do";

type ImportRow = {
  line: number;
  email: string;
  name: string;
  role: string;
  trust: string;
  department: string;
  validFrom: string;
  validUntil: string;
  problems: string[];
  action: ImportRowAction | null;
};

/** A new person's set-password link from an import: the token is shown once and never stored. */
export type ImportedLink = { userId: string; name: string; email: string; token: string; expiresAt: string };

export type ImportPreview = { rows: ImportRow[]; problemRows: number; counts: Record<ImportRowAction, number> };

type Checked = ImportRow & {
  parsed?: { email: string; name: string; role: Role; trustId: string; departmentId?: string; jobRoleCode?: string; validFrom: Day; validUntil?: Day; existingUserId: string | null; existingStatus: string | null };
};

function parseCsv(csv: string): Record<string, string>[] {
  const bytes = Buffer.byteLength(csv, "utf8");
  if (bytes > importMaxBytes) throw new AppError("VALIDATION", `${importTooLargeMessage} This file is ${megabytes(bytes)}.`, { fieldErrors: { file: [importTooLargeMessage] } });
  let records: string[][];
  try {
    records = parse(csv, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  } catch (error) {
    const message = `The file is not valid CSV: ${(error as Error).message}`;
    throw new AppError("VALIDATION", message, { fieldErrors: { file: [message] } });
  }
  const [header, ...body] = records;
  if (!header) throw new AppError("VALIDATION", "The file is empty.", { fieldErrors: { file: ["The file is empty."] } });
  const columns = header.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, "_"));
  // A header becomes a key of each row's record: a reserved name is refused before any is built.
  const reserved = columns.findIndex(isForbiddenKey);
  if (reserved >= 0) {
    const message = `Line 1, column ${reserved + 1}: "${header[reserved]}" ${forbiddenKeyMessage}.`;
    throw new AppError("VALIDATION", message, { fieldErrors: { file: [message] } });
  }
  const missing = requiredColumns.filter((c) => !columns.includes(c));
  if (missing.length) {
    const message = `The first line must name the columns; missing: ${missing.join(", ")}. Expected: ${importColumns.join(", ")}.`;
    throw new AppError("VALIDATION", message, { fieldErrors: { file: [message] } });
  }
  if (body.length === 0) throw new AppError("VALIDATION", "The file has a header but no people.", { fieldErrors: { file: ["The file has no rows."] } });
  if (body.length > importMaxRows) {
    const message = `The file has ${body.length.toLocaleString("en-GB")} rows; import at most ${importMaxRows.toLocaleString("en-GB")} at a time.`;
    throw new AppError("VALIDATION", message, { fieldErrors: { file: [message] } });
  }
  const unstorable = unstorableCells(columns, body);
  if (unstorable.length) {
    const message = `${unstorable.length} ${unstorable.length === 1 ? "cell" : "cells"} cannot be stored as given; nothing was imported. ${unstorable[0]}`;
    throw new AppError("VALIDATION", message, { fieldErrors: { file: unstorable.slice(0, 20) } });
  }
  return body.map((cells) => Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ""])));
}

// Text that is not UTF-8 arrives as U+FFFD (a file's bytes) or as half a surrogate pair (the
// commit's text field, which csv-parse turns into U+FFFD): either would be stored as a wrong name.
const notUtf8 = /[\p{Surrogate}\uFFFD]/u;

/**
 * Cells PostgreSQL cannot store as given: a NUL fails the write (a 500 naming nothing) and text
 * that is not UTF-8 would be stored changed. The file is refused before any row is read against
 * the database, naming each cell's line and column.
 */
function unstorableCells(columns: string[], body: string[][]): string[] {
  const found: string[] = [];
  body.forEach((cells, index) =>
    cells.forEach((cell, i) => {
      const why = notUtf8.test(cell) ? "is not UTF-8 text (save the file as \"CSV UTF-8\")" : !isStorableText(cell) ? unstorableTextMessage : null;
      if (why) found.push(`Line ${index + 2}, column ${columns[i] ?? i + 1}: ${why}.`);
    }),
  );
  return found;
}

const firstMessage = (r: z.ZodSafeParseResult<unknown>) => (r.success ? null : (r.error.issues[0]?.message ?? "Not valid."));

/** Checks every row against the rules and the database, inside `tx`; writes nothing. */
async function checkRows(tx: Tx, ctx: Ctx, records: Record<string, string>[]): Promise<Checked[]> {
  const granting = trustsWhere(ctx, "roles.grant");
  const writable = trustsWhere(ctx, "users.write");
  const directory = await trustDirectory(tx);
  const byOds = new Map([...directory.values()].map((t) => [t.odsCode, t]));
  const reachable = [...directory.values()].filter((t) => granting.all || granting.trustIds.includes(t.id)).map((t) => t.id);
  const deptRows = reachable.length
    ? await tx.select({ id: departments.id, trustId: departments.trustId, name: departments.name }).from(departments).where(inArray(departments.trustId, reachable))
    : [];
  const deptKey = (trustId: string, name: string) => `${trustId}|${name.trim().toLowerCase()}`;
  const deptByKey = new Map(deptRows.map((d) => [deptKey(d.trustId, d.name), d.id]));

  // Existing people, by exact email anywhere in the consortium: an import is idempotent on email.
  const emails = [...new Set(records.map((r) => (r.email ?? "").trim().toLowerCase()).filter(Boolean))];
  const existing = emails.length
    ? await withSystemScopeWithin(tx, async () => {
        const found: { id: string; email: string; name: string; status: string }[] = [];
        for (let i = 0; i < emails.length; i += 1000) {
          found.push(...(await tx.select({ id: users.id, email: users.email, name: users.name, status: users.status }).from(users).where(inArray(users.email, emails.slice(i, i + 1000)))));
        }
        return found;
      })
    : [];
  const userByEmail = new Map(existing.map((u) => [u.email, u]));
  const existingIds = existing.map((u) => u.id);
  const held = existingIds.length && reachable.length
    ? await tx
        .select({ userId: roleAssignments.userId, role: roleAssignments.role, trustId: roleAssignments.trustId, departmentId: roleAssignments.departmentId, validFrom: roleAssignments.validFrom, validUntil: roleAssignments.validUntil })
        .from(roleAssignments)
        .where(and(inArray(roleAssignments.userId, existingIds), inArray(roleAssignments.trustId, reachable), isNull(roleAssignments.revokedAt)))
    : [];

  const seen = new Map<string, number>();
  const namesInFile = new Map<string, { name: string; line: number }>();
  const now = new Date();
  return records.map((record, index): Checked => {
    const line = index + 2; // the header is line 1
    const row: Checked = {
      line,
      email: record.email ?? "",
      name: record.name ?? "",
      role: record.role ?? "",
      trust: record.trust ?? "",
      department: record.department ?? "",
      validFrom: record.valid_from ?? "",
      validUntil: record.valid_until ?? "",
      problems: [],
      action: null,
    };
    const problem = (field: string, message: string) => row.problems.push(`${field}: ${message}`);
    const email = emailSchema.safeParse(row.email);
    if (!email.success) problem("email", firstMessage(email) ?? "");
    const name = personName.safeParse(row.name);
    if (!name.success) problem("name", firstMessage(name) ?? "");
    const roleKey = row.role.trim().toLowerCase().replace(/[\s-]+/g, "_");
    const roleByLabel = roles.find((r) => r === roleKey || roleLabels[r].toLowerCase() === row.role.trim().toLowerCase());
    if (!roleByLabel) problem("role", `"${row.role}" is not a role. Use one of: ${roles.join(", ")}.`);
    const trust = byOds.get(row.trust.trim().toUpperCase());
    if (!trust || !reachable.includes(trust.id)) problem("trust", `"${row.trust}" is not a trust where you grant roles.`);
    const from = calendarDate("first day").safeParse(row.validFrom);
    if (!from.success) problem("valid_from", firstMessage(from) ?? "");
    const until = row.validUntil.trim() ? calendarDate("last day").safeParse(row.validUntil) : null;
    if (until && !until.success) problem("valid_until", firstMessage(until) ?? "");
    if (from.success && until?.success && until.data < from.data) problem("valid_until", "The last day is before the first day.");
    if (until?.success && endOfLondonDay(until.data) <= now) problem("valid_until", "This last day has already passed.");
    const jobRoleCode = (record.job_role_code ?? "").trim().toUpperCase();
    if (jobRoleCode && !jobRoleCodePattern.test(jobRoleCode)) problem("job_role_code", "A national job-role code is R and four digits, for example R8000.");
    let departmentId: string | undefined;
    if (trust && row.department.trim()) {
      departmentId = deptByKey.get(deptKey(trust.id, row.department));
      if (!departmentId) problem("department", `${trust.odsCode} has no department called "${row.department}".`);
    }
    if (!email.success || !name.success || !roleByLabel || !trust || !from.success) return row;

    const key = `${email.data}|${roleByLabel}|${trust.id}`;
    const earlier = seen.get(key);
    if (earlier) problem("email", `Duplicate of line ${earlier} (same person, role and trust).`);
    else seen.set(key, line);
    const named = namesInFile.get(email.data);
    if (named && named.name !== name.data) problem("name", `Line ${named.line} gives this email the name "${named.name}".`);
    else namesInFile.set(email.data, { name: name.data, line });

    const person = userByEmail.get(email.data) ?? null;
    if (person?.status === "left") problem("email", "This person has left; reactivate them before granting roles.");
    if (!person && !(writable.all || writable.trustIds.includes(trust.id))) problem("trust", "You cannot create people at this trust.");
    const decision = decideGrant(ctx, { userId: person?.id ?? "(new person)", role: roleByLabel, trustId: trust.id });
    if (!decision.allowed) problem("role", decision.reason);

    // The instants grantInTx stores for these days, to compare with the roles already held.
    const validFrom = londonDayStart(from.data);
    const validUntil = until?.success ? endOfLondonDay(until.data) : null;
    let action: ImportRowAction = person ? "grant role to existing person" : "create person and grant role";
    if (person) {
      const same = held.filter((h) => h.userId === person.id && h.role === roleByLabel && h.trustId === trust.id);
      const overlaps = same.filter((h) => (!h.validUntil || h.validUntil > validFrom) && (!validUntil || h.validFrom < validUntil));
      const identical = overlaps.find((h) => h.validFrom.getTime() === validFrom.getTime() && (h.validUntil?.getTime() ?? null) === (validUntil?.getTime() ?? null) && (h.departmentId ?? undefined) === departmentId);
      if (identical) action = "already imported: nothing to do";
      else if (overlaps.length) problem("valid_from", "This person already holds this role at this trust for an overlapping period.");
    }
    row.action = row.problems.length ? null : action;
    row.parsed = {
      email: email.data,
      name: name.data,
      role: roleByLabel,
      trustId: trust.id,
      departmentId,
      jobRoleCode: jobRoleCode || undefined,
      validFrom: from.data,
      validUntil: until?.success ? until.data : undefined,
      existingUserId: person?.id ?? null,
      existingStatus: person?.status ?? null,
    };
    return row;
  });
}

function summarise(rows: Checked[]): ImportPreview {
  const counts: Record<ImportRowAction, number> = { "create person and grant role": 0, "grant role to existing person": 0, "already imported: nothing to do": 0 };
  for (const r of rows) if (r.action) counts[r.action]++;
  return { rows: rows.map(({ parsed: _parsed, ...r }) => r), problemRows: rows.filter((r) => r.problems.length > 0).length, counts };
}

/** Checks an import file and says, row by row, what importing it would do or what is wrong. Writes nothing. */
export function previewImport(ctx: Ctx, csv: string) {
  return toResult(async () => {
    const granting = trustsWhere(ctx, "roles.grant");
    if (!granting.all && granting.trustIds.length === 0) throw new AppError("FORBIDDEN", "You cannot import users.");
    const records = parseCsv(csv);
    return withTenant(ctx, async (tx) => summarise(await checkRows(tx, ctx, records)));
  });
}

/**
 * Imports a file all or nothing: it is checked again inside the transaction, and any row with a
 * problem stops the whole import. Rows already imported (same person, role, trust and window)
 * change nothing, so importing the same file twice leaves the database as the first time did.
 */
export function commitImport(ctx: Ctx, csv: string) {
  return toResult(async () => {
    const granting = trustsWhere(ctx, "roles.grant");
    if (!granting.all && granting.trustIds.length === 0) throw new AppError("FORBIDDEN", "You cannot import users.");
    const records = parseCsv(csv);
    return withTenant(ctx, async (tx) => {
      const rows = await checkRows(tx, ctx, records);
      const bad = rows.filter((r) => r.problems.length > 0);
      if (bad.length) {
        throw new AppError("VALIDATION", `${bad.length} ${bad.length === 1 ? "row has a problem" : "rows have problems"}; nothing was imported. Correct the file and try again.`, {
          fieldErrors: { file: bad.slice(0, 20).map((r) => `Line ${r.line}: ${r.problems.join("; ")}`) },
        });
      }
      const created = new Map<string, string>();
      const links: ImportedLink[] = [];
      let granted = 0;
      let unchanged = 0;
      for (const row of rows) {
        const p = row.parsed;
        if (!p) continue;
        let userId = p.existingUserId ?? created.get(p.email) ?? null;
        if (!userId) {
          const [user] = await tx.insert(users).values({ name: p.name, email: p.email, homeTrustId: p.trustId }).returning({ id: users.id });
          if (!user) throw new Error("insert returned no row");
          userId = user.id;
          created.set(p.email, user.id);
          await recordAuditEvent(tx, {
            action: "user.create",
            actor: actorOf(ctx, roleFor(ctx, "users.write", p.trustId)),
            sourceTrustId: p.trustId,
            target: { type: "user", id: user.id },
            details: { after: { name: p.name, email: p.email, homeTrustId: p.trustId }, via: "import", line: row.line },
            client: ctx.client,
          });
          // Each new person's set-password link, made (and audited) in the import's transaction and
          // returned once: only its hash is kept, so the manager hands it on now or makes a reset later.
          const link = await issuePasswordToken(tx, ctx, { id: user.id, homeTrustId: p.trustId }, "invite");
          links.push({ userId: user.id, name: p.name, email: p.email, token: link.token, expiresAt: link.expiresAt.toISOString() });
        }
        const result = await grantInTx(
          tx,
          ctx,
          { userId, status: p.existingStatus ?? "active" },
          { role: p.role, trustId: p.trustId, departmentId: p.departmentId, jobRoleCode: p.jobRoleCode, validFrom: p.validFrom, validUntil: p.validUntil },
          { identicalIsNoop: true },
        );
        if (result.created) granted++;
        else unchanged++;
      }
      await recordAuditEvent(tx, {
        action: "user.import",
        actor: actorOf(ctx, roleFor(ctx, "roles.grant", rows[0]?.parsed?.trustId ?? null)),
        sourceTrustId: rows[0]?.parsed?.trustId ?? null,
        details: { rows: rows.length, created: created.size, granted, unchanged, setPasswordLinks: links.length },
        client: ctx.client,
      });
      return { created: created.size, granted, unchanged, links };
    });
  });
}
