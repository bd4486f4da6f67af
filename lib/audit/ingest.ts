import "server-only";
import { hash } from "node:crypto";
import { and, isNull, sql } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import { auditEvents, patientRestrictions, trusts, users } from "@/db/schema";
import { assertCallerTrust, type ApiCaller } from "@/lib/api-caller";
import type { ApiIssue } from "@/lib/api-issues";
import { pgArray } from "@/lib/db/arrays";
import { withSystem, type Tx } from "@/lib/db/scope";
import { AppError } from "@/lib/errors";
import type { RuleFacts } from "./alert-rules";
import { alertRowsFor, insertAlerts } from "./raise-alerts";
import { appendAuditEvents, lockChainHeads, saveChainHeads, type ChainedRow } from "./append";
import { chainOf } from "./chain";
import type { AuditEventInput } from "./schemas";

// The stored fields a machine client sends, with the path of each in its request: what a retry
// must repeat exactly, and what a conflict names. (actorUserId is looked up, not sent.)
const sentFields: [keyof ChainedRow, string][] = [
  ["occurredAt", "occurredAt"],
  ["action", "action"],
  ["outcome", "outcome"],
  ["actorEmail", "actor.user"],
  ["actorTrustId", "actor.trust"],
  ["actorRole", "actor.role"],
  ["sourceTrustId", "study.sourceTrust"],
  ["patientNhsNumber", "patient.nhsNumber"],
  ["studyInstanceUid", "study.studyInstanceUid"],
  ["accessionNumber", "study.accessionNumber"],
  ["modality", "study.modality"],
  ["purpose", "purpose"],
  ["policyId", "policy.id"],
  ["policyVersion", "policy.version"],
  ["breakGlassJustification", "breakGlassJustification"],
  ["ip", "source.ip"],
  ["workstation", "source.workstation"],
];

function sentValue(row: Partial<Record<keyof ChainedRow, unknown>>, key: keyof ChainedRow): string | number | null {
  const v = row[key];
  if (v === null || v === undefined) return null;
  if (key === "occurredAt") return new Date(v as Date | string).toISOString();
  if (key === "policyVersion") return Number(v);
  return String(v);
}

/** A digest of what the client sent of an event: equal for a faithful retry, whatever the time of sending. */
function contentDigest(row: ChainedRow): string {
  return hash("sha256", JSON.stringify(sentFields.map(([key]) => sentValue(row, key))), "hex");
}

/** The request path of the first sent field in which two versions of an event differ. */
function differingField(a: Partial<Record<keyof ChainedRow, unknown>>, b: Partial<Record<keyof ChainedRow, unknown>>): string | undefined {
  return sentFields.find(([key]) => sentValue(a, key) !== sentValue(b, key))?.[1];
}

function conflictIssue(item: number, field: string, message: string): ApiIssue {
  return { path: `events.${item}.${field}`, item, field, message };
}

function throwConflicts(issues: ApiIssue[]): void {
  const first = issues[0];
  if (!first) return;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  throw new AppError("CONFLICT", `The batch was not stored: item ${first.item}, field ${first.field}: ${first.message}${more}.`, { issues });
}

/**
 * Of events whose id their chain already holds, those sent with other content: compared by digest,
 * and where that differs (or an id stored before digests has none) with the stored event, field by
 * field, so that the conflict names the field.
 */
async function retryConflicts(tx: Tx, retried: { item: number; row: ChainedRow; digest: string }[]): Promise<ApiIssue[]> {
  if (retried.length === 0) return [];
  const key = (chain: string, id: string) => `${chain}|${id}`;
  const pairs = sql`select * from unnest(${pgArray(retried.map((r) => r.row.chain))}::text[], ${pgArray(retried.map((r) => r.row.id))}::uuid[])`;
  const stored = rowsOf<{ chain: string; id: string; digest: string | null }>(
    await tx.execute(sql`select chain, id, digest from audit_event_ids where (chain, id) in (${pairs})`),
  );
  const digestOf = new Map(stored.map((s) => [key(s.chain, s.id), s.digest]));
  const suspect = retried.filter((r) => digestOf.get(key(r.row.chain, r.row.id)) !== r.digest);
  if (suspect.length === 0) return [];
  const events = await tx
    .select()
    .from(auditEvents)
    .where(sql`(${auditEvents.chain}, ${auditEvents.id}) in (${sql`select * from unnest(${pgArray(suspect.map((r) => r.row.chain))}::text[], ${pgArray(suspect.map((r) => r.row.id))}::uuid[])`})`);
  const eventOf = new Map(events.map((e) => [key(e.chain, e.id), e]));
  const issues: ApiIssue[] = [];
  for (const r of suspect) {
    const event = eventOf.get(key(r.row.chain, r.row.id));
    // An id claimed with no event stored (none is expected) stays what it was: a duplicate.
    const field = event ? differingField(event, r.row) : undefined;
    if (field) issues.push(conflictIssue(r.item, field, `event ${r.row.id} was stored before with another ${field}`));
  }
  return issues;
}

/**
 * Stores a batch of access events from a machine client: all or nothing, each chained onto its
 * source trust's hash chain (in time order), and the alert rules applied. Idempotent on eventId
 * within the event's chain: a retry with the same content is a duplicate, the same id with other
 * content a CONFLICT that writes nothing, and another trust's event with the same id is its own.
 */
export async function ingestAuditEvents(caller: ApiCaller, events: AuditEventInput[]): Promise<{ accepted: number; duplicates: number }> {
  return withSystem(async (tx) => {
    const trustRows = await tx.select({ id: trusts.id, odsCode: trusts.odsCode }).from(trusts);
    const trustId = new Map(trustRows.map((t) => [t.odsCode, t.id]));
    const issues: ApiIssue[] = [];
    events.forEach((e, i) => {
      if (!trustId.has(e.actor.trust)) issues.push({ path: `events.${i}.actor.trust`, item: i, field: "actor.trust", message: `unknown trust ${e.actor.trust}` });
      if (!trustId.has(e.study.sourceTrust)) issues.push({ path: `events.${i}.study.sourceTrust`, item: i, field: "study.sourceTrust", message: `unknown trust ${e.study.sourceTrust}` });
    });
    if (issues.length) throw new AppError("VALIDATION", `Invalid request: item ${issues[0]!.item}, field ${issues[0]!.field}: ${issues[0]!.message}.`, { issues });
    events.forEach((e, i) => assertCallerTrust(caller, trustId.get(e.study.sourceTrust)!, { item: i, field: "study.sourceTrust" }));

    // Every event as it would be stored; its chain is its source trust's, and the chain is also
    // the owner its id is unique within: one trust's ids never suppress another's events.
    const recordedAt = new Date();
    const rows = events.map(
      (e): ChainedRow => ({
        id: e.eventId,
        chain: chainOf(trustId.get(e.study.sourceTrust)),
        seq: 0, // seq, prevHash and hash are set as the row joins its chain
        prevHash: "",
        hash: "",
        occurredAt: new Date(e.occurredAt),
        recordedAt,
        action: e.action,
        outcome: e.outcome,
        actorUserId: null, // set below for the events stored
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
    const digests = rows.map(contentDigest);

    // A repeat within the batch: the same content is a duplicate, other content a conflict.
    const conflicts: ApiIssue[] = [];
    const firstAt = new Map<string, number>();
    const unique: number[] = [];
    rows.forEach((r, i) => {
      const first = firstAt.get(`${r.chain}|${r.id}`);
      if (first === undefined) {
        firstAt.set(`${r.chain}|${r.id}`, i);
        unique.push(i);
      } else if (digests[first] !== digests[i]) {
        const field = differingField(rows[first]!, r) ?? "eventId";
        conflicts.push(conflictIssue(i, field, `event ${r.id} is also item ${first} of this batch, with another ${field}`));
      }
    });
    throwConflicts(conflicts);

    // One round trip for what the batch needs to know: which ids are new to their chain (claimed
    // here once; ids claimed before are retries or conflicts), the people and restricted patients
    // it names, and the heads of its chains (locked to the end of the transaction).
    const uniqueRows = unique.map((i) => rows[i]!);
    const emails = [...new Set(uniqueRows.map((r) => r.actorEmail!))];
    const nhsNumbers = [...new Set(uniqueRows.map((r) => r.patientNhsNumber!))];
    const [claimed, known, restrictions, heads] = await Promise.all([
      tx.execute(sql`insert into audit_event_ids (chain, id, digest)
        select * from unnest(${pgArray(uniqueRows.map((r) => r.chain))}::text[], ${pgArray(uniqueRows.map((r) => r.id))}::uuid[], ${pgArray(unique.map((i) => digests[i]!))}::text[])
        on conflict do nothing returning chain, id`),
      tx
        .select({ id: users.id, email: users.email, status: users.status })
        .from(users)
        .where(sql`${users.email} = any(${pgArray(emails)}::text[])`),
      tx
        .select({ trustId: patientRestrictions.trustId, nhsNumber: patientRestrictions.nhsNumber })
        .from(patientRestrictions)
        .where(and(sql`${patientRestrictions.nhsNumber} = any(${pgArray(nhsNumbers)}::text[])`, isNull(patientRestrictions.liftedAt))),
      lockChainHeads(tx, uniqueRows.map((r) => r.chain)),
    ]);
    const isNew = new Set(rowsOf<{ chain: string; id: string }>(claimed).map((r) => `${r.chain}|${r.id}`));
    const retried = unique.filter((i) => !isNew.has(`${rows[i]!.chain}|${rows[i]!.id}`));
    // Any retried id whose content differs refuses the batch; nothing of it is written (the claims
    // above roll back with the transaction).
    throwConflicts(await retryConflicts(tx, retried.map((i) => ({ item: i, row: rows[i]!, digest: digests[i]! }))));
    const userByEmail = new Map(known.map((u) => [u.email, u]));
    const toStore = uniqueRows.filter((r) => isNew.has(`${r.chain}|${r.id}`));
    if (toStore.length === 0) return { accepted: 0, duplicates: events.length };
    for (const r of toStore) r.actorUserId = userByEmail.get(r.actorEmail!)?.id ?? null;
    const restricted = new Set(restrictions.map((r) => `${r.nhsNumber}|${r.trustId}`));

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
