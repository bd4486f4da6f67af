import "server-only";
import { and, isNull, sql } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import { patientRestrictions, trusts, users } from "@/db/schema";
import { assertCallerTrust, type ApiCaller } from "@/lib/api/auth";
import { pgArray } from "@/lib/db/arrays";
import { withSystem } from "@/lib/db/scope";
import { AppError } from "@/lib/errors";
import type { RuleFacts } from "./alert-rules";
import { alertRowsFor, insertAlerts } from "./raise-alerts";
import { appendAuditEvents, lockChainHeads, saveChainHeads, type ChainedRow } from "./append";
import type { AuditEventInput } from "./schemas";

/**
 * Stores a batch of access events from a machine client: all or nothing, idempotent on eventId,
 * each chained onto its source trust's hash chain (in time order), and the alert rules applied.
 */
export async function ingestAuditEvents(caller: ApiCaller, events: AuditEventInput[]): Promise<{ accepted: number; duplicates: number }> {
  return withSystem(async (tx) => {
    const trustRows = await tx.select({ id: trusts.id, odsCode: trusts.odsCode }).from(trusts);
    const trustId = new Map(trustRows.map((t) => [t.odsCode, t.id]));
    const issues: { path: string; item: number; field: string; message: string }[] = [];
    events.forEach((e, i) => {
      if (!trustId.has(e.actor.trust)) issues.push({ path: `events.${i}.actor.trust`, item: i, field: "actor.trust", message: `unknown trust ${e.actor.trust}` });
      if (!trustId.has(e.study.sourceTrust)) issues.push({ path: `events.${i}.study.sourceTrust`, item: i, field: "study.sourceTrust", message: `unknown trust ${e.study.sourceTrust}` });
    });
    if (issues.length) throw new AppError("VALIDATION", `Invalid request: item ${issues[0]!.item}, field ${issues[0]!.field}: ${issues[0]!.message}.`, { issues });
    events.forEach((e, i) => assertCallerTrust(caller, trustId.get(e.study.sourceTrust)!, { item: i, field: "study.sourceTrust" }));

    // One round trip for what the batch needs to know: which ids are new (claimed here once; ids
    // claimed before, or earlier in this batch, are duplicates), the people and restricted patients
    // it names, and the heads of its chains (locked to the end of the transaction).
    const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];
    const emails = [...new Set(unique.map((e) => e.actor.user))];
    const nhsNumbers = [...new Set(unique.map((e) => e.patient.nhsNumber))];
    const [claimed, known, restrictions, heads] = await Promise.all([
      tx.execute(sql`insert into audit_event_ids (id) select unnest(${pgArray(unique.map((e) => e.eventId))}::uuid[]) on conflict do nothing returning id`),
      tx
        .select({ id: users.id, email: users.email, status: users.status })
        .from(users)
        .where(sql`${users.email} = any(${pgArray(emails)}::text[])`),
      tx
        .select({ trustId: patientRestrictions.trustId, nhsNumber: patientRestrictions.nhsNumber })
        .from(patientRestrictions)
        .where(and(sql`${patientRestrictions.nhsNumber} = any(${pgArray(nhsNumbers)}::text[])`, isNull(patientRestrictions.liftedAt))),
      lockChainHeads(tx, unique.map((e) => trustId.get(e.study.sourceTrust)!)),
    ]);
    const isNew = new Set(rowsOf<{ id: string }>(claimed).map((r) => r.id));
    const fresh = unique.filter((e) => isNew.has(e.eventId));
    if (fresh.length === 0) return { accepted: 0, duplicates: events.length };
    const userByEmail = new Map(known.map((u) => [u.email, u]));
    const restricted = new Set(restrictions.map((r) => `${r.nhsNumber}|${r.trustId}`));

    const recordedAt = new Date();
    const toStore = fresh.map(
      (e): ChainedRow => ({
        id: e.eventId,
        chain: trustId.get(e.study.sourceTrust)!,
        seq: 0, // seq, prevHash and hash are set as the row joins its chain
        prevHash: "",
        hash: "",
        occurredAt: new Date(e.occurredAt),
        recordedAt,
        action: e.action,
        outcome: e.outcome,
        actorUserId: userByEmail.get(e.actor.user)?.id ?? null,
        actorEmail: e.actor.user,
        actorTrustId: trustId.get(e.actor.trust)!,
        actorRole: e.actor.role,
        sourceTrustId: trustId.get(e.study.sourceTrust)!,
        patientNhsNumber: e.patient.nhsNumber,
        studyInstanceUid: e.study.studyInstanceUid,
        accessionNumber: e.study.accessionNumber ?? null,
        modality: e.study.modality,
        purpose: e.purpose,
        policyId: e.policy?.id ?? null,
        policyVersion: e.policy?.version ?? null,
        breakGlassJustification: e.breakGlassJustification ?? null,
        ip: e.source?.ip ?? null,
        workstation: e.source?.workstation ?? null,
        targetType: "study",
        targetId: e.study.studyInstanceUid,
        details: null,
      }),
    );
    const facts: RuleFacts = {
      userStatus: (email) => userByEmail.get(email)?.status,
      isRestricted: (nhsNumber, sourceTrustId) => restricted.has(`${nhsNumber}|${sourceTrustId}`),
    };
    const alerts = toStore.flatMap((r) => alertRowsFor(r, facts));
    const newHeads = await appendAuditEvents(tx, toStore, heads);
    await Promise.all([saveChainHeads(tx, newHeads), insertAlerts(tx, alerts)]);
    return { accepted: toStore.length, duplicates: events.length - toStore.length };
  });
}
