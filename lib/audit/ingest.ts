import "server-only";
import { and, inArray, isNull, sql } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import { patientRestrictions, trusts, users } from "@/db/schema";
import { assertCallerTrust, type ApiCaller } from "@/lib/api/auth";
import { withSystem, type Tx } from "@/lib/db/scope";
import { AppError } from "@/lib/errors";
import type { RuleFacts } from "./alert-rules";
import { alertRowsFor, insertAlerts } from "./raise-alerts";
import type { ChainedFields } from "./canonical";
import { chainHash, genesisHash } from "./chain";
import type { AuditEventInput } from "./schemas";

type Row = ChainedFields & { prevHash: string; hash: string };

// Column list of the bulk insert, in one place so that the SELECT and the recordset agree.
const columns: [keyof Row, string, string][] = [
  ["id", "id", "uuid"],
  ["occurredAt", "occurred_at", "timestamptz"],
  ["recordedAt", "recorded_at", "timestamptz"],
  ["chain", "chain", "text"],
  ["seq", "seq", "bigint"],
  ["prevHash", "prev_hash", "text"],
  ["hash", "hash", "text"],
  ["action", "action", "text"],
  ["outcome", "outcome", "text"],
  ["actorUserId", "actor_user_id", "uuid"],
  ["actorEmail", "actor_email", "text"],
  ["actorTrustId", "actor_trust_id", "uuid"],
  ["actorRole", "actor_role", "text"],
  ["sourceTrustId", "source_trust_id", "uuid"],
  ["patientNhsNumber", "patient_nhs_number", "text"],
  ["studyInstanceUid", "study_instance_uid", "text"],
  ["accessionNumber", "accession_number", "text"],
  ["modality", "modality", "text"],
  ["purpose", "purpose", "text"],
  ["policyId", "policy_id", "uuid"],
  ["policyVersion", "policy_version", "integer"],
  ["breakGlassJustification", "break_glass_justification", "text"],
  ["ip", "ip", "text"],
  ["workstation", "workstation", "text"],
  ["targetType", "target_type", "text"],
  ["targetId", "target_id", "text"],
  ["details", "details", "jsonb"],
];
const insertColumns = sql.raw(columns.map(([, c]) => c).join(", "));
const recordsetTypes = sql.raw(columns.map(([, c, t]) => `${c} ${t}`).join(", "));

/** Appends rows (already chained) to audit_events in one statement; works the same on both drivers. */
export async function bulkInsertAuditRows(tx: Tx, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows.map((r) => Object.fromEntries(columns.map(([k, c]) => [c, r[k] instanceof Date ? (r[k] as Date).toISOString() : r[k]]))));
  await tx.execute(sql`insert into audit_events (${insertColumns}) select ${insertColumns} from json_to_recordset(${json}::json) as x(${recordsetTypes})`);
}

/** Makes sure a monthly partition exists for every month these times fall in. */
export async function ensurePartitions(tx: Tx, times: Date[]): Promise<void> {
  const months = [...new Set(times.map((t) => t.toISOString().slice(0, 7)))];
  for (const month of months) await tx.execute(sql`select mosaic_ensure_audit_partition(${`${month}-01`}::date)`);
}

/**
 * Locks the heads of these chains (in a fixed order, so concurrent batches never deadlock) and
 * returns where each stands.
 */
export async function lockChainHeads(tx: Tx, chains: string[]): Promise<Map<string, { seq: number; hash: string }>> {
  const sorted = [...new Set(chains)].sort();
  const json = JSON.stringify(sorted);
  await tx.execute(
    sql`insert into audit_chain_heads (chain, seq, hash) select c, 0, ${genesisHash} from json_array_elements_text(${json}::json) as c on conflict do nothing`,
  );
  const heads = rowsOf<{ chain: string; seq: string | number; hash: string }>(
    await tx.execute(sql`select chain, seq, hash from audit_chain_heads where chain in (select json_array_elements_text(${json}::json)) order by chain for update`),
  );
  return new Map(heads.map((h) => [h.chain, { seq: Number(h.seq), hash: h.hash }]));
}

/** Moves the chain heads to their new last events. */
export async function saveChainHeads(tx: Tx, heads: Map<string, { seq: number; hash: string }>): Promise<void> {
  const json = JSON.stringify([...heads].map(([chain, h]) => ({ chain, seq: h.seq, hash: h.hash })));
  await tx.execute(sql`update audit_chain_heads h set seq = x.seq, hash = x.hash, updated_at = now()
    from json_to_recordset(${json}::json) as x(chain text, seq bigint, hash text) where h.chain = x.chain`);
}

/**
 * Stores a batch of access events from a machine client: all or nothing, idempotent on eventId,
 * each chained onto its source trust's hash chain in batch order, and the alert rules applied.
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

    // Idempotency: claim each id once; ids already claimed (earlier batches, or earlier in this one) are duplicates.
    const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];
    const claimed = rowsOf<{ id: string }>(
      await tx.execute(
        sql`insert into audit_event_ids (id) select id::uuid from json_array_elements_text(${JSON.stringify(unique.map((e) => e.eventId))}::json) as id(id) on conflict do nothing returning id`,
      ),
    );
    const isNew = new Set(claimed.map((r) => r.id));
    const fresh = unique.filter((e) => isNew.has(e.eventId));
    if (fresh.length === 0) return { accepted: 0, duplicates: events.length };

    const emails = [...new Set(fresh.map((e) => e.actor.user))];
    const known = await tx.select({ id: users.id, email: users.email, status: users.status }).from(users).where(inArray(users.email, emails));
    const userByEmail = new Map(known.map((u) => [u.email, u]));

    const recordedAt = new Date();
    const rows: Row[] = [];
    await ensurePartitions(tx, fresh.map((e) => new Date(e.occurredAt)));
    const heads = await lockChainHeads(tx, fresh.map((e) => trustId.get(e.study.sourceTrust)!));
    for (const e of fresh) {
      const chain = trustId.get(e.study.sourceTrust)!;
      const head = heads.get(chain)!;
      const fields: ChainedFields = {
        id: e.eventId,
        chain,
        seq: head.seq + 1,
        occurredAt: new Date(e.occurredAt),
        recordedAt,
        action: e.action,
        outcome: e.outcome,
        actorUserId: userByEmail.get(e.actor.user)?.id ?? null,
        actorEmail: e.actor.user,
        actorTrustId: trustId.get(e.actor.trust)!,
        actorRole: e.actor.role,
        sourceTrustId: chain,
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
      };
      const hash = chainHash(head.hash, fields);
      rows.push({ ...fields, prevHash: head.hash, hash });
      heads.set(chain, { seq: fields.seq, hash });
    }
    await bulkInsertAuditRows(tx, rows);
    await saveChainHeads(tx, heads);
    // Live restrictions on the patients in this batch, at their source trusts.
    const nhsNumbers = [...new Set(rows.flatMap((r) => (r.patientNhsNumber ? [r.patientNhsNumber] : [])))];
    const restricted = new Set(
      (nhsNumbers.length
        ? await tx
            .select({ trustId: patientRestrictions.trustId, nhsNumber: patientRestrictions.nhsNumber })
            .from(patientRestrictions)
            .where(and(inArray(patientRestrictions.nhsNumber, nhsNumbers), isNull(patientRestrictions.liftedAt)))
        : []
      ).map((r) => `${r.nhsNumber}|${r.trustId}`),
    );
    const facts: RuleFacts = {
      userStatus: (email) => userByEmail.get(email)?.status,
      isRestricted: (nhsNumber, sourceTrustId) => restricted.has(`${nhsNumber}|${sourceTrustId}`),
    };
    await insertAlerts(tx, rows.flatMap((r) => alertRowsFor(r, facts)));
    return { accepted: rows.length, duplicates: events.length - rows.length };
  });
}
