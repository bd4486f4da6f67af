import "server-only";
// Who may see which study through the DICOMweb gateway, and the audit event of every look. The
// decision is the sharing engine's, made exactly as POST /api/v1/access-decisions makes it
// (resolveRequest and decide over the same policy snapshot); only its inputs come from Mosaic's own
// records instead of the caller: the study's source trust, modality and date from the exam the PACS
// reported, and the legitimate relationship from whether the patient has an exam at the acting trust.
import { sql } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import { chainOf } from "@/lib/audit/chain";
import type { ChainedRow } from "@/lib/audit/append";
import { alertRowsFor, type AlertRow } from "@/lib/audit/raise-alerts";
import type { Ctx } from "@/lib/auth/context";
import { londonDayOf } from "@/lib/calendar";
import { withSystem } from "@/lib/db/scope";
import { resolveRequest } from "@/lib/sharing/decisions";
import { decide, type Decision } from "@/lib/sharing/engine";
import type { PolicySnapshot } from "@/lib/sharing/cache";
import { purposes, type Purpose } from "@/lib/vocabulary";

/** A person looking through the gateway: for which trust they act, why, and any break-glass reason. */
export type Viewer = {
  ctx: Ctx;
  actingTrust: { id: string; odsCode: string };
  purpose: Purpose;
  breakGlassJustification: string | null;
  requestId: string | null;
};

export type ViewerProblem = { status: 400 | 403; field: string; message: string };

const maxJustification = 1000;

/**
 * The viewer of a request from its headers: X-Acting-Trust (an ODS code; default the person's only
 * trust), X-Purpose-Of-Use (default direct_care), X-Break-Glass-Justification. The acting trust must
 * be one where the person holds a role now.
 */
export function viewerOf(ctx: Ctx, headers: Headers, snapshot: PolicySnapshot): Viewer | ViewerProblem {
  const odsById = new Map([...snapshot.trustIds].map(([ods, id]) => [id, ods]));
  const roleTrusts = [...new Set(ctx.roles.flatMap((r) => (r.trustId ? [r.trustId] : [])))];
  const consortiumWide = ctx.roles.some((r) => r.trustId === null);
  const asked = headers.get("x-acting-trust")?.trim().toUpperCase() || null;
  let trustId: string | undefined;
  if (asked) {
    trustId = snapshot.trustIds.get(asked);
    if (!trustId) return { status: 400, field: "X-Acting-Trust", message: `X-Acting-Trust: no trust of the consortium has the ODS code ${asked}.` };
    if (!consortiumWide && !roleTrusts.includes(trustId)) return { status: 403, field: "X-Acting-Trust", message: `X-Acting-Trust: you hold no role at ${asked}.` };
  } else if (roleTrusts.length === 1 && !consortiumWide) {
    trustId = roleTrusts[0];
  } else {
    return { status: 400, field: "X-Acting-Trust", message: "X-Acting-Trust: say for which trust you act (its ODS code); you hold roles at more than one, or across the consortium." };
  }
  const purposeHeader = headers.get("x-purpose-of-use")?.trim() || "direct_care";
  if (!(purposes as readonly string[]).includes(purposeHeader)) {
    return { status: 400, field: "X-Purpose-Of-Use", message: `X-Purpose-Of-Use must be one of ${purposes.join(", ")}.` };
  }
  const justification = headers.get("x-break-glass-justification")?.trim() || null;
  if (justification && justification.length > maxJustification) {
    return { status: 400, field: "X-Break-Glass-Justification", message: `X-Break-Glass-Justification can be at most ${maxJustification} characters.` };
  }
  if (justification && /[\u0000-\u001f\u007f]/.test(justification)) {
    return { status: 400, field: "X-Break-Glass-Justification", message: "X-Break-Glass-Justification cannot hold control characters." };
  }
  return {
    ctx,
    actingTrust: { id: trustId!, odsCode: odsById.get(trustId!)! },
    purpose: purposeHeader as Purpose,
    breakGlassJustification: justification,
    requestId: headers.get("x-request-id"),
  };
}

/** A study as Mosaic recorded it from the archive (one per trust that holds it). */
export type StudyRecord = {
  studyUid: string;
  trustId: string;
  odsCode: string;
  modality: string;
  studyDate: string;
  nhsNumber: string | null;
  accessionNumber: string;
  /** Trusts (ODS codes) where the patient has an exam: the legitimate relationships. */
  episodeTrusts: string[];
};

/**
 * Mosaic's records of these studies, consortium-wide (the decision needs to know whose a study is;
 * nothing of another trust's record reaches the person unless the decision permits it).
 */
export async function studyRecords(uids: readonly string[]): Promise<Map<string, StudyRecord[]>> {
  const byUid = new Map<string, StudyRecord[]>();
  if (uids.length === 0) return byUid;
  const rows = await withSystem(async (tx) =>
    rowsOf<{ study_instance_uid: string; trust_id: string; ods_code: string; modality: string; performed_at: Date | string; patient_nhs_number: string | null; accession_number: string; episode_trusts: string[] | null }>(
      await tx.execute(sql`
        select e.study_instance_uid, e.trust_id, t.ods_code, e.modality, e.performed_at, e.patient_nhs_number, e.accession_number,
          case when e.patient_nhs_number is null then array[t.ods_code] else (
            select array_agg(distinct t2.ods_code) from exams e2 join trusts t2 on t2.id = e2.trust_id
            where e2.patient_nhs_number = e.patient_nhs_number) end as episode_trusts
        from exams e join trusts t on t.id = e.trust_id
        where e.study_instance_uid = any(${`{${uids.join(",")}}`}::text[])`),
    ),
  );
  for (const r of rows) {
    const list = byUid.get(r.study_instance_uid) ?? [];
    list.push({
      studyUid: r.study_instance_uid,
      trustId: r.trust_id,
      odsCode: r.ods_code,
      modality: r.modality,
      studyDate: londonDayOf(new Date(r.performed_at)),
      nhsNumber: r.patient_nhs_number,
      accessionNumber: r.accession_number,
      episodeTrusts: r.episode_trusts ?? [r.ods_code],
    });
    byUid.set(r.study_instance_uid, list);
  }
  return byUid;
}

export type StudyDecision = { record: StudyRecord; decision: Decision };

/**
 * The engine's decision for the viewer on a study: of the trusts that hold it, the first that
 * permits (the acting trust's own copy first), else the first refusal.
 */
export function decideStudy(viewer: Viewer, records: readonly StudyRecord[], snapshot: PolicySnapshot, now: Date): StudyDecision | null {
  const ordered = [...records].sort((a, b) => Number(b.trustId === viewer.actingTrust.id) - Number(a.trustId === viewer.actingTrust.id) || a.odsCode.localeCompare(b.odsCode));
  let refused: StudyDecision | null = null;
  for (const record of ordered) {
    const request = resolveRequest(
      snapshot,
      {
        requester: { user: viewer.ctx.email.toLowerCase(), trust: viewer.actingTrust.odsCode },
        study: { sourceTrust: record.odsCode, modality: record.modality as never, studyDate: record.studyDate, studyInstanceUid: record.studyUid, patientNhsNumber: record.nhsNumber },
        purpose: viewer.purpose,
        patientEpisodeTrusts: record.episodeTrusts,
        breakGlassJustification: viewer.breakGlassJustification,
      },
      now,
    );
    const decision = decide(snapshot.set, request, now);
    if (decision.decision === "permit") return { record, decision };
    refused ??= { record, decision };
  }
  return refused;
}

export type GatewayAction = "study.query" | "study.retrieve" | "study.store";

/** What the gateway adds to an access event: how the look came and what it was. */
export type GatewayDetails = {
  via: "dicomweb";
  operation: string;
  requestId: string | null;
  /** The study asked for, when Mosaic holds no record of it (the event has no study of its own). */
  askedStudyUid?: string;
  [detail: string]: unknown;
};

/** The audit event of one look at one study (or at none: a search that found nothing it may show). */
export function gatewayEvent(
  viewer: Viewer,
  action: GatewayAction,
  outcome: "success" | "denied" | "failure",
  study: StudyDecision | null,
  details: GatewayDetails,
  now: Date,
): ChainedRow {
  const decision = study?.decision ?? null;
  const record = study?.record ?? null;
  const roleHere = viewer.ctx.roles.find((r) => r.trustId === viewer.actingTrust.id) ?? viewer.ctx.roles[0];
  return {
    id: crypto.randomUUID(),
    chain: chainOf(record?.trustId ?? viewer.actingTrust.id),
    seq: 0,
    prevHash: "",
    hash: "",
    occurredAt: now,
    recordedAt: now,
    action,
    outcome,
    actorUserId: viewer.ctx.userId,
    actorEmail: viewer.ctx.email.toLowerCase(),
    actorTrustId: viewer.actingTrust.id,
    actorRole: roleHere?.role ?? null,
    sourceTrustId: record?.trustId ?? null,
    patientNhsNumber: record?.nhsNumber ?? null,
    studyInstanceUid: record?.studyUid ?? details.askedStudyUid ?? null,
    accessionNumber: record?.accessionNumber ?? null,
    modality: record?.modality ?? null,
    purpose: viewer.purpose,
    policyId: decision?.policy?.id ?? null,
    policyVersion: decision?.policy?.version ?? null,
    // Only a look that break-glass let through carries the justification (and raises its alert).
    breakGlassJustification: decision?.breakGlass ? viewer.breakGlassJustification : null,
    ip: viewer.ctx.client.ip,
    workstation: viewer.ctx.client.userAgent,
    targetType: null,
    targetId: null,
    details: { ...details, ...(decision ? { decision: decision.decision, reasons: decision.reasons.map((r) => r.code) } : {}) },
  };
}

/** The alerts these events raise (break-glass, a departed user, a restricted patient), as ingest raises them. */
export function alertsOf(rows: readonly ChainedRow[], snapshot: PolicySnapshot): AlertRow[] {
  const odsById = new Map([...snapshot.trustIds].map(([ods, id]) => [id, ods]));
  const facts = {
    userStatus: (email: string) => snapshot.users.get(email)?.status,
    isRestricted: (nhsNumber: string, sourceTrustId: string) => snapshot.set.restricted.has(`${odsById.get(sourceTrustId)}|${nhsNumber}`),
  };
  return rows.flatMap((r) => (r.sourceTrustId ? alertRowsFor(r, facts) : []));
}
