import "server-only";
import { inArray, sql } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import { sites, trusts } from "@/db/schema";
import { pgArray } from "@/lib/db/arrays";
import { withSystem, type Tx } from "@/lib/db/scope";
import { AppError, validationError, type FieldErrors } from "@/lib/errors";
import { hourCountsOfGroup } from "./hours";
import { examBatch, storageUsageBatch, type ExamInput, type StorageUsageInput } from "./schemas";

/** The trusts a machine client may report for: all of them, or its own. */
export type IngestScope = { all: true } | { all: false; trustIds: readonly string[] };

/** What a batch did: rows stored now, and rows that were already there (a retry). */
export type BatchOutcome = { accepted: number; duplicates: number };

/** A resolved exam row, ready for the bulk insert. */
export type ExamRow = {
  studyInstanceUid: string;
  trustId: string;
  siteId: string;
  accessionNumber: string;
  modality: string;
  performedAt: Date;
  imageCount: number;
  sizeBytes: number;
  /** The calling AE title of the device that stored it, when known (the archive connector sends it). */
  aeTitle?: string | null;
  /** The patient's NHS number, when the PACS gave one. */
  patientNhsNumber?: string | null;
};

export type StorageRow = { trustId: string; tier: string; date: string; modality: string; bytes: number };

/** The ingest scope of an API client: a consortium client (trustId null) reports for every trust. */
export function ingestScopeOf(caller: { trustId: string | null }): IngestScope {
  return caller.trustId === null ? { all: true } : { all: false, trustIds: [caller.trustId] };
}

/**
 * Collects item problems of a batch and throws them together: fieldErrors for forms and tests, and
 * the machine API's issues (item and field named). A trust the client may not send for is
 * FORBIDDEN, as lib/api/auth.ts answers it; an unknown trust or site is VALIDATION.
 */
class ItemProblems {
  readonly fieldErrors: FieldErrors = {};
  readonly issues: { path: string; item: number; field: string; message: string }[] = [];
  forbidden = false;
  constructor(
    private readonly batchKey: string,
    private readonly code: "VALIDATION" | "CONFLICT" = "VALIDATION",
  ) {}
  add(item: number, field: string, message: string, forbidden = false) {
    const path = `${this.batchKey}.${item}.${field}`;
    (this.fieldErrors[path] ??= []).push(message);
    this.issues.push({ path, item, field, message });
    this.forbidden ||= forbidden;
  }
  throwIfAny() {
    if (this.issues.length === 0) return;
    const first = this.issues[0]!;
    const more = this.issues.length > 1 ? ` (and ${this.issues.length - 1} more)` : "";
    throw new AppError(this.forbidden ? "FORBIDDEN" : this.code, `The batch was not stored: item ${first.item}, field ${first.field}: ${first.message}${more}`, {
      fieldErrors: this.fieldErrors,
      issues: this.issues,
    });
  }
}

/** Maps ODS codes to trusts, marking those the scope may not report for. */
async function trustsByOds(tx: Tx, codes: string[], scope: IngestScope): Promise<Map<string, { id: string; allowed: boolean }>> {
  const rows = await tx.select({ id: trusts.id, odsCode: trusts.odsCode }).from(trusts).where(inArray(trusts.odsCode, [...new Set(codes)]));
  return new Map(rows.map((r) => [r.odsCode, { id: r.id, allowed: scope.all || scope.trustIds.includes(r.id) }]));
}

// What makes two reports of one exam the same report, with the request field each comes from.
const examFields: [keyof ExamRow, string][] = [
  ["siteId", "site"],
  ["accessionNumber", "accessionNumber"],
  ["modality", "modality"],
  ["performedAt", "performedAt"],
  ["imageCount", "imageCount"],
  ["sizeBytes", "sizeBytes"],
];

function examValue(row: Record<string, unknown>, key: keyof ExamRow): string | number {
  const v = row[key];
  if (key === "performedAt") return new Date(v as Date | string).getTime();
  if (key === "imageCount" || key === "sizeBytes") return Number(v);
  return String(v);
}

function differingExamField(a: Record<string, unknown>, b: Record<string, unknown>): string | undefined {
  return examFields.find(([key]) => examValue(a, key) !== examValue(b, key))?.[1];
}

/**
 * Inserts exams and, in the same statement, adds the newly stored ones to the hourly, daily and
 * consortium rollups. Idempotent per trust: a study UID the trust already stored (by this batch, an
 * earlier one or a concurrent one) with the same content is skipped and not counted twice, because
 * the rollups only see RETURNING rows; with other content the batch is a CONFLICT naming the item
 * and field, and nothing is written (the caller's transaction rolls back). Another trust's exam
 * with the same UID is its own. `rows[i]` is item i of the batch, as the conflict names it.
 */
export async function insertExamRows(tx: Tx, batch: readonly ExamRow[]): Promise<number> {
  if (batch.length === 0) return 0;
  const problems = new ItemProblems("exams", "CONFLICT");
  const firstAt = new Map<string, number>();
  const rows: ExamRow[] = [];
  batch.forEach((r, i) => {
    const key = `${r.trustId}|${r.studyInstanceUid}`;
    const first = firstAt.get(key);
    if (first === undefined) {
      firstAt.set(key, i);
      rows.push(r);
      return;
    }
    const field = differingExamField(batch[first]!, r);
    if (field) problems.add(i, field, `Study ${r.studyInstanceUid} is also item ${first} of this batch, with another ${field}.`);
  });
  problems.throwIfAny();
  const result = await tx.execute(sql`
    with input as (
      select * from unnest(
        ${pgArray(rows.map((r) => r.studyInstanceUid))}::text[],
        ${pgArray(rows.map((r) => r.trustId))}::uuid[],
        ${pgArray(rows.map((r) => r.siteId))}::uuid[],
        ${pgArray(rows.map((r) => r.accessionNumber))}::text[],
        ${pgArray(rows.map((r) => r.modality))}::text[],
        ${pgArray(rows.map((r) => r.performedAt))}::timestamptz[],
        ${pgArray(rows.map((r) => r.imageCount))}::integer[],
        ${pgArray(rows.map((r) => r.sizeBytes))}::bigint[],
        ${pgArray(rows.map((r) => r.aeTitle ?? null))}::text[],
        ${pgArray(rows.map((r) => r.patientNhsNumber ?? null))}::text[]
      ) as u(study_instance_uid, trust_id, site_id, accession_number, modality, performed_at, image_count, size_bytes, ae_title, patient_nhs_number)
    ),
    ins as (
      insert into exams (study_instance_uid, trust_id, site_id, accession_number, modality, performed_at, image_count, size_bytes, ae_title, patient_nhs_number)
      select * from input
      on conflict (study_instance_uid, trust_id) do nothing
      returning trust_id, site_id, modality, performed_at, size_bytes
    ),
    hourly as (
      insert into capacity_exams_hourly as r (trust_id, hour, site_id, modality, exam_count, size_bytes)
      select trust_id, date_trunc('hour', performed_at, 'UTC'), site_id, modality, count(*), sum(size_bytes)::bigint
        from ins group by 1, 2, 3, 4
      on conflict (trust_id, hour, site_id, modality)
        do update set exam_count = r.exam_count + excluded.exam_count, size_bytes = r.size_bytes + excluded.size_bytes
    ),
    daily as (
      insert into capacity_exams_daily as r (trust_id, day, site_id, modality, exam_count, size_bytes, hour_counts)
      select trust_id, (performed_at at time zone 'Europe/London')::date, site_id, modality, count(*), sum(size_bytes)::bigint, ${hourCountsOfGroup}
        from ins group by 1, 2, 3, 4
      on conflict (trust_id, day, site_id, modality)
        do update set exam_count = r.exam_count + excluded.exam_count, size_bytes = r.size_bytes + excluded.size_bytes,
          hour_counts = mosaic_add_counts(r.hour_counts, excluded.hour_counts)
    ),
    consortium as (
      insert into capacity_consortium_exams_daily as r (day, modality, exam_count, size_bytes)
      select (performed_at at time zone 'Europe/London')::date, modality, count(*), sum(size_bytes)::bigint
        from ins group by 1, 2
      on conflict (day, modality)
        do update set exam_count = r.exam_count + excluded.exam_count, size_bytes = r.size_bytes + excluded.size_bytes
    )
    select count(*)::int as accepted from ins`);
  const accepted = Number(rowsOf<{ accepted: number }>(result)[0]?.accepted ?? 0);
  if (accepted < rows.length) await refuseChangedExams(tx, rows, firstAt);
  return accepted;
}

/** Throws CONFLICT if a study this batch did not store was stored before with other content. */
async function refuseChangedExams(tx: Tx, rows: readonly ExamRow[], itemOf: Map<string, number>): Promise<void> {
  // Rows this batch just stored are read back too; they match themselves.
  const stored = rowsOf<Record<string, unknown> & { trust_id: string; study_instance_uid: string }>(
    await tx.execute(sql`select study_instance_uid, trust_id, site_id as "siteId", accession_number as "accessionNumber", modality,
        performed_at as "performedAt", image_count as "imageCount", size_bytes as "sizeBytes"
      from exams where (study_instance_uid, trust_id) in (
        select * from unnest(${pgArray(rows.map((r) => r.studyInstanceUid))}::text[], ${pgArray(rows.map((r) => r.trustId))}::uuid[]))`),
  );
  const byKey = new Map(stored.map((s) => [`${s.trust_id}|${s.study_instance_uid}`, s]));
  const problems = new ItemProblems("exams", "CONFLICT");
  for (const r of rows) {
    const key = `${r.trustId}|${r.studyInstanceUid}`;
    const before = byKey.get(key);
    const field = before && differingExamField(before, r);
    if (field) problems.add(itemOf.get(key)!, field, `Study ${r.studyInstanceUid} was stored before with another ${field}.`);
  }
  problems.throwIfAny();
}

/**
 * Upserts storage snapshots and keeps the storage rollups in the same statement. A snapshot sent
 * again with the same bytes changes nothing; with other bytes it replaces the day's figure and the
 * consortium total moves by the difference. Snapshots of one trust are serialised by an advisory
 * lock so that the difference is computed against the figure actually replaced.
 */
export async function upsertStorageRows(tx: Tx, rows: readonly StorageRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  for (const trustId of [...new Set(rows.map((r) => r.trustId))].sort()) {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`mosaic.storage.${trustId}`}))`);
  }
  const result = await tx.execute(sql`
    with input as (
      select * from unnest(
        ${pgArray(rows.map((r) => r.trustId))}::uuid[],
        ${pgArray(rows.map((r) => r.tier))}::text[],
        ${pgArray(rows.map((r) => r.date))}::date[],
        ${pgArray(rows.map((r) => r.modality))}::text[],
        ${pgArray(rows.map((r) => r.bytes))}::bigint[]
      ) as u(trust_id, tier, usage_date, modality, bytes)
    ),
    old as (
      select s.trust_id, s.tier, s.usage_date, s.modality, s.bytes
        from storage_usage s join input i using (trust_id, tier, usage_date, modality)
    ),
    up as (
      insert into storage_usage as s (trust_id, tier, usage_date, modality, bytes)
      select trust_id, tier, usage_date, modality, bytes from input
      on conflict (trust_id, tier, usage_date, modality)
        do update set bytes = excluded.bytes, received_at = now() where s.bytes <> excluded.bytes
      returning trust_id, tier, usage_date, modality, bytes
    ),
    changed as (
      select up.trust_id, up.tier, up.usage_date, up.modality, up.bytes, up.bytes - coalesce(old.bytes, 0) as delta
        from up left join old using (trust_id, tier, usage_date, modality)
    ),
    daily as (
      insert into capacity_storage_daily as r (trust_id, tier, day, modality, bytes)
      select trust_id, tier, usage_date, modality, bytes from changed
      on conflict (trust_id, tier, day, modality) do update set bytes = excluded.bytes
    ),
    consortium as (
      insert into capacity_consortium_storage_daily as r (tier, day, bytes)
      select tier, usage_date, sum(delta)::bigint from changed group by 1, 2
      on conflict (tier, day) do update set bytes = r.bytes + excluded.bytes
    )
    select count(*)::int as accepted from up`);
  return Number(rowsOf<{ accepted: number }>(result)[0]?.accepted ?? 0);
}

/** Resolves trusts and sites of a parsed exam batch, naming each unknown item and field. */
async function resolveExams(tx: Tx, exams: readonly ExamInput[], scope: IngestScope): Promise<ExamRow[]> {
  const trustMap = await trustsByOds(tx, exams.map((e) => e.trust), scope);
  const siteRows = await tx
    .select({ id: sites.id, code: sites.code, trustId: sites.trustId })
    .from(sites)
    .where(inArray(sites.code, [...new Set(exams.map((e) => e.site))]));
  const siteByCode = new Map(siteRows.map((s) => [s.code, s]));
  const problems = new ItemProblems("exams");
  const rows: ExamRow[] = [];
  exams.forEach((e, i) => {
    const trust = trustMap.get(e.trust);
    if (!trust) return problems.add(i, "trust", `No trust has the ODS code ${e.trust}.`);
    if (!trust.allowed) return problems.add(i, "trust", "This API client may only send exams of its own trust.", true);
    const site = siteByCode.get(e.site);
    if (!site || site.trustId !== trust.id) return problems.add(i, "site", `Trust ${e.trust} has no site ${e.site}.`);
    rows.push({ ...e, trustId: trust.id, siteId: site.id });
  });
  problems.throwIfAny();
  return rows;
}

/**
 * Stores a batch of exams from a machine client: validated whole, then all or nothing. Answers how
 * many were new and how many were already stored.
 */
export async function ingestExams(scope: IngestScope, input: unknown): Promise<BatchOutcome> {
  const parsed = examBatch.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error, "The batch was not stored: some exams need attention.");
  return ingestExamBatch(scope, parsed.data.exams);
}

/** Stores an already parsed batch of exams (the machine API parses with readJson first). */
export async function ingestExamBatch(scope: IngestScope, exams: readonly ExamInput[]): Promise<BatchOutcome> {
  // System scope: a machine client has no person's trust scope; resolveExams limits it to its trusts.
  return withSystem((tx) => storeExamBatch(tx, scope, exams));
}

/**
 * Stores a parsed batch of exams inside the caller's transaction: the same resolution (trust and
 * site named by code, the scope checked) and insert as the machine API, for a caller that must
 * commit other rows with the exams (the archive connector and its cursor).
 */
export async function storeExamBatch(tx: Tx, scope: IngestScope, exams: readonly ExamInput[]): Promise<BatchOutcome> {
  const rows = await resolveExams(tx, exams, scope);
  const accepted = await insertExamRows(tx, rows);
  return { accepted, duplicates: exams.length - accepted };
}

/** Resolves the trusts of a parsed usage batch. */
async function resolveUsage(tx: Tx, usage: readonly StorageUsageInput[], scope: IngestScope): Promise<StorageRow[]> {
  const trustMap = await trustsByOds(tx, usage.map((u) => u.trust), scope);
  const problems = new ItemProblems("usage");
  const rows: StorageRow[] = [];
  usage.forEach((u, i) => {
    const trust = trustMap.get(u.trust);
    if (!trust) return problems.add(i, "trust", `No trust has the ODS code ${u.trust}.`);
    if (!trust.allowed) return problems.add(i, "trust", "This API client may only send storage usage of its own trust.", true);
    rows.push({ trustId: trust.id, tier: u.tier, date: u.date, modality: u.modality, bytes: u.bytes });
  });
  problems.throwIfAny();
  return rows;
}

/** Stores a batch of storage usage snapshots: all or nothing, idempotent on (trust, tier, date, modality). */
export async function ingestStorageUsage(scope: IngestScope, input: unknown): Promise<BatchOutcome> {
  const parsed = storageUsageBatch.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error, "The batch was not stored: some snapshots need attention.");
  return ingestStorageBatch(scope, parsed.data.usage);
}

/** Stores an already parsed batch of storage snapshots. */
export async function ingestStorageBatch(scope: IngestScope, usage: readonly StorageUsageInput[]): Promise<BatchOutcome> {
  return withSystem(async (tx) => {
    const rows = await resolveUsage(tx, usage, scope);
    const accepted = await upsertStorageRows(tx, rows);
    return { accepted, duplicates: usage.length - accepted };
  });
}
