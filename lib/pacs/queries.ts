import "server-only";
// The archive's studies that wait for a consortium administrator (status `unattributed`): the list,
// its CSV export (audited: it names studies, and so patients) and the count on the overview.
import { and, asc, eq, sql } from "drizzle-orm";
import { pacsStudies, sites, trusts } from "@/db/schema";
import { can, roleFor, type Ctx } from "@/lib/auth/context";
import { actorOf, recordAuditEvent } from "@/lib/audit/record";
import { withTenant, type Tx } from "@/lib/db/scope";
import { notFound } from "@/lib/errors";
import type { UnattributedFilter } from "./schemas";

/** A waiting study as the list shows it. The patient's identifiers stay out, as on the study look-up. */
export type UnattributedStudy = {
  archive: string;
  studyId: string;
  studyInstanceUid: string;
  accessionNumber: string | null;
  callingAeTitle: string | null;
  modality: string | null;
  performedAt: Date | null;
  instanceCount: number;
  sizeBytes: number;
  problem: string | null;
  firstSeenAt: Date;
};

/** The list shows at most this many (oldest first); a longer list says so and is worked from the top. */
export const maxUnattributed = 5_000;

/**
 * Who sees the waiting studies: consortium-wide roles only (administrators, who resolve them, and
 * consortium IG officers, who read them), since no trust has been shown to be their controller.
 * Row-level security agrees: an unattributed row has no trust, so only consortium-wide scope reads it.
 */
export function canSeeUnattributed(ctx: Ctx): boolean {
  return can(ctx, "sites.write", null) || can(ctx, "studies.read", null);
}

/** May the caller attribute a waiting study by hand (a consortium-wide administrator)? */
export function canAttribute(ctx: Ctx): boolean {
  return can(ctx, "sites.write", null);
}

function readRole(ctx: Ctx): string | null {
  return roleFor(ctx, "sites.write", null) ?? roleFor(ctx, "studies.read", null);
}

// The columns the list shows: never the patient's identifiers.
const listed = {
  archive: pacsStudies.archive,
  studyId: pacsStudies.archiveStudyId,
  studyInstanceUid: pacsStudies.studyInstanceUid,
  accessionNumber: pacsStudies.accessionNumber,
  callingAeTitle: pacsStudies.callingAeTitle,
  modality: pacsStudies.modality,
  performedAt: pacsStudies.performedAt,
  instanceCount: pacsStudies.instanceCount,
  sizeBytes: pacsStudies.sizeBytes,
  problem: pacsStudies.problem,
  firstSeenAt: pacsStudies.firstSeenAt,
};

async function findUnattributed(tx: Tx, filter: UnattributedFilter): Promise<UnattributedStudy[]> {
  return tx
    .select(listed)
    .from(pacsStudies)
    .where(
      and(
        eq(pacsStudies.status, "unattributed"),
        filter.ae ? eq(pacsStudies.callingAeTitle, filter.ae) : undefined,
        filter.modality ? eq(pacsStudies.modality, filter.modality) : undefined,
        filter.q ? sql`(${pacsStudies.studyInstanceUid} = ${filter.q} or ${pacsStudies.accessionNumber} = ${filter.q})` : undefined,
      ),
    )
    .orderBy(asc(pacsStudies.firstSeenAt), asc(pacsStudies.archiveStudyId))
    .limit(maxUnattributed);
}

/** The waiting studies matching the filter, oldest first; "not found" for anyone not consortium-wide. */
export async function listUnattributed(ctx: Ctx, filter: UnattributedFilter): Promise<UnattributedStudy[]> {
  if (!canSeeUnattributed(ctx)) throw notFound("Not found.");
  return withTenant(ctx, (tx) => findUnattributed(tx, filter));
}

/** The rows of the CSV export, read in the transaction that records the export in the audit trail. */
export async function exportUnattributed(ctx: Ctx, filter: UnattributedFilter): Promise<UnattributedStudy[]> {
  if (!canSeeUnattributed(ctx)) throw notFound("Not found.");
  return withTenant(ctx, async (tx) => {
    const rows = await findUnattributed(tx, filter);
    await recordAuditEvent(tx, {
      action: "pacs.unattributed_export",
      actor: actorOf(ctx, readRole(ctx)),
      sourceTrustId: null,
      details: { filter: { ...filter }, format: "csv", rows: rows.length },
      client: ctx.client,
    });
    return rows;
  });
}

/** How many studies wait (for the overview), or null for a caller who may not see them. */
export async function countUnattributed(ctx: Ctx): Promise<number | null> {
  if (!canSeeUnattributed(ctx)) return null;
  const [row] = await withTenant(ctx, (tx) =>
    tx.select({ n: sql<number>`count(*)::int` }).from(pacsStudies).where(eq(pacsStudies.status, "unattributed")),
  );
  return Number(row?.n ?? 0);
}

/** The sites a waiting study can be given to: every trust's sites, by trust then code. */
export async function attributionSites(ctx: Ctx): Promise<{ id: string; code: string; name: string; odsCode: string; trustName: string }[]> {
  if (!canAttribute(ctx)) return [];
  return withTenant(ctx, (tx) =>
    tx
      .select({ id: sites.id, code: sites.code, name: sites.name, odsCode: trusts.odsCode, trustName: trusts.name })
      .from(sites)
      .innerJoin(trusts, eq(trusts.id, sites.trustId))
      .orderBy(asc(trusts.odsCode), asc(sites.code)),
  );
}

/** One waiting study, for the attribution form; "not found" when it is not waiting (or not the caller's to see). */
export async function getUnattributed(ctx: Ctx, archive: string, studyId: string): Promise<UnattributedStudy> {
  if (!canAttribute(ctx)) throw notFound("Not found.");
  const [row] = await withTenant(ctx, (tx) =>
    tx
      .select(listed)
      .from(pacsStudies)
      .where(and(eq(pacsStudies.archive, archive), eq(pacsStudies.archiveStudyId, studyId), eq(pacsStudies.status, "unattributed"))),
  );
  if (!row) throw notFound("No such study waits for attribution.");
  return row;
}
