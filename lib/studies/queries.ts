import "server-only";
import { sql } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import { roleFor, trustsWhere, type Ctx } from "@/lib/auth/context";
import { actorOf, recordAuditEvent } from "@/lib/audit/record";
import { withTenant, type Tx } from "@/lib/db/scope";
import { notFound } from "@/lib/errors";
import type { StudyLookup } from "./schemas";

/** A study as the look-up shows it: where it was made, by which device, and how big it is. */
export type StudyRow = {
  studyInstanceUid: string;
  accessionNumber: string;
  trustId: string;
  odsCode: string;
  trustName: string;
  siteCode: string;
  siteName: string;
  modality: string;
  performedAt: Date;
  imageCount: number;
  sizeBytes: number;
  aeTitle: string | null;
  device: { id: string; aeTitle: string; kind: string; retired: boolean } | null;
};

/** One event of a study's access history (events of the trail that name the study). */
export type StudyAccessRow = {
  id: string;
  occurredAt: Date;
  action: string;
  outcome: string;
  actorEmail: string | null;
  actorRole: string | null;
  actorTrust: string | null;
  purpose: string | null;
  breakGlassJustification: string | null;
};

/** At most this many studies per look-up (an accession number is one study per trust, rarely more). */
const maxStudies = 20;
/** The newest events of a study's history shown and exported; older ones are in the audit search. */
export const maxHistory = 500;

/**
 * The caller's trusts for the look-up: every trust (a consortium-wide role) or those where they
 * hold studies.read. "Not found" for anyone else, as a page they may not open answers.
 */
function lookupScope(ctx: Ctx) {
  const scope = trustsWhere(ctx, "studies.read");
  if (!scope.all && scope.trustIds.length === 0) throw notFound("Not found.");
  return scope;
}

async function findStudies(tx: Tx, scope: ReturnType<typeof lookupScope>, lookup: StudyLookup): Promise<StudyRow[]> {
  // Studies of other trusts are left out here by the trust condition, and by row-level security
  // (the transaction's scope) below it. The device is the one of the study's own trust with the
  // exam's AE title, in service or not (a device retired since still made the study).
  const inScope = scope.all ? sql`true` : sql`e.trust_id = any(${`{${scope.trustIds.join(",")}}`}::uuid[])`;
  const match = lookup.by === "study" ? sql`e.study_instance_uid = ${lookup.q}` : sql`e.accession_number = ${lookup.q}`;
  const rows = rowsOf<Omit<StudyRow, "device" | "performedAt"> & { performedAt: Date | string; deviceId: string | null; deviceAeTitle: string | null; deviceKind: string | null; deviceRetired: boolean | null }>(
    await tx.execute(sql`
      select e.study_instance_uid as "studyInstanceUid", e.accession_number as "accessionNumber", e.trust_id as "trustId",
             t.ods_code as "odsCode", t.name as "trustName", s.code as "siteCode", s.name as "siteName", e.modality,
             e.performed_at as "performedAt", e.image_count as "imageCount", e.size_bytes::float8 as "sizeBytes", e.ae_title as "aeTitle",
             d.id as "deviceId", d.ae_title as "deviceAeTitle", d.kind as "deviceKind", d.retired_at is not null as "deviceRetired"
        from exams e
        join trusts t on t.id = e.trust_id
        join sites s on s.trust_id = e.trust_id and s.id = e.site_id
        left join lateral (
          select id, ae_title, kind, retired_at from dicom_devices d
           where d.trust_id = e.trust_id and d.ae_title = e.ae_title
           order by d.retired_at is not null, d.retired_at desc limit 1
        ) d on true
       where ${match} and ${inScope}
       order by e.performed_at desc
       limit ${maxStudies}`),
  );
  return rows.map(({ deviceId, deviceAeTitle, deviceKind, deviceRetired, ...r }) => ({
    ...r,
    performedAt: new Date(r.performedAt),
    imageCount: Number(r.imageCount),
    sizeBytes: Number(r.sizeBytes),
    device: deviceId && deviceAeTitle && deviceKind ? { id: deviceId, aeTitle: deviceAeTitle, kind: deviceKind, retired: Boolean(deviceRetired) } : null,
  }));
}

/**
 * The study's access history as its trust sees it: the events naming the study about that trust's
 * images, newest first, read in the study's index of the trail (0021_audit_study_search.sql).
 */
async function historyOf(tx: Tx, study: StudyRow): Promise<StudyAccessRow[]> {
  const rows = rowsOf<Omit<StudyAccessRow, "occurredAt"> & { occurredAt: Date | string }>(
    await tx.execute(sql`
      select a.id, a.occurred_at as "occurredAt", a.action, a.outcome, a.actor_email as "actorEmail", a.actor_role as "actorRole",
             t.ods_code as "actorTrust", a.purpose, a.break_glass_justification as "breakGlassJustification"
        from audit_events a
        -- Another trust's staff are named by their trust's ODS code (public reference data), which
        -- the trusts table hides from a caller scoped to the study's trust.
        left join mosaic_trust_directory() t on t.id = a.actor_trust_id
       where a.study_instance_uid = ${study.studyInstanceUid} and a.source_trust_id = ${study.trustId}
       order by a.occurred_at desc, a.id
       limit ${maxHistory}`),
  );
  return rows.map((r) => ({ ...r, occurredAt: new Date(r.occurredAt) }));
}

/**
 * Looks a study up by accession number or Study Instance UID among the trusts the caller's roles
 * cover, with each study's trust, site, device, size and access history. The look-up is itself an
 * audit event naming what was looked up, so that it appears in the history it reads next time.
 */
export async function lookUpStudies(ctx: Ctx, lookup: StudyLookup): Promise<{ study: StudyRow; history: StudyAccessRow[] }[]> {
  const scope = lookupScope(ctx);
  return withTenant(ctx, async (tx) => {
    const studies = await findStudies(tx, scope, lookup);
    const results = [];
    for (const study of studies) results.push({ study, history: await historyOf(tx, study) });
    // The chain of the trust whose study it is when there is one; otherwise the caller's own.
    const trusts = [...new Set(studies.map((s) => s.trustId))];
    const chain = trusts.length === 1 ? trusts[0]! : scope.all ? null : (scope.trustIds[0] ?? null);
    const uid = lookup.by === "study" ? lookup.q : studies.length === 1 ? studies[0]!.studyInstanceUid : null;
    await recordAuditEvent(tx, {
      action: "studies.lookup",
      actor: actorOf(ctx, roleFor(ctx, "studies.read", chain)),
      sourceTrustId: chain,
      access: { studyInstanceUid: uid, accessionNumber: lookup.by === "accession" ? lookup.q : (studies[0]?.accessionNumber ?? null) },
      details: { by: lookup.by, results: studies.length },
      client: ctx.client,
    });
    return results;
  });
}
