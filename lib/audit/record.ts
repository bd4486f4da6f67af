import "server-only";
import { sql } from "drizzle-orm";
import { auditEvents } from "@/db/schema";
import type { Tx } from "@/lib/db/scope";
import type { Ctx } from "@/lib/auth/context";
import type { ChainedFields } from "./canonical";
import { lockChainHeads, saveChainHeads } from "./append";
import { chainHash, chainOf } from "./chain";

type AuditOutcome = "success" | "denied" | "failure";

/** What happened, as a caller describes it; the chain fields are added here. */
export type AuditInput = {
  action: string;
  outcome?: AuditOutcome;
  actor: { userId?: string | null; email?: string | null; trustId?: string | null; role?: string | null };
  /** The trust whose data the event concerns; it also picks the hash chain. */
  sourceTrustId?: string | null;
  target?: { type: string; id: string };
  /** What a clinical access concerns (access decisions, PACS events): patient, study, purpose, policy. */
  access?: {
    patientNhsNumber?: string | null;
    studyInstanceUid?: string | null;
    accessionNumber?: string | null;
    modality?: string | null;
    purpose?: string | null;
    policy?: { id: string; version: number } | null;
    breakGlassJustification?: string | null;
  };
  details?: Record<string, unknown>;
  client?: { ip: string | null; userAgent: string | null };
  occurredAt?: Date;
  id?: string;
};

/** The actor fields of a signed-in caller acting through `role`. */
export function actorOf(ctx: Ctx, role: string | null): AuditInput["actor"] {
  return { userId: ctx.userId, email: ctx.email, trustId: ctx.homeTrustId, role };
}

/**
 * Appends one event to its trust's hash chain, inside the caller's transaction: the change and its
 * audit record commit together or not at all. The chain head is locked for the rest of the
 * transaction, so sequence numbers follow commit order within a chain.
 */
export async function recordAuditEvent(tx: Tx, input: AuditInput): Promise<{ id: string; seq: number; hash: string }> {
  const now = new Date();
  const occurredAt = input.occurredAt ?? now;
  const chain = chainOf(input.sourceTrustId);
  await tx.execute(sql`select mosaic_ensure_audit_partition(${occurredAt.toISOString()}::date)`);
  // The head is locked and later moved through definer functions that refuse a chain outside the
  // transaction's scope; the insert below is held to the same rule by audit_events' policy.
  const head = (await lockChainHeads(tx, [chain])).get(chain);
  if (!head) throw new Error(`audit chain head ${chain} missing`);

  const fields: ChainedFields = {
    id: input.id ?? crypto.randomUUID(),
    chain,
    seq: head.seq + 1,
    occurredAt,
    recordedAt: now,
    action: input.action,
    outcome: input.outcome ?? "success",
    actorUserId: input.actor.userId ?? null,
    actorEmail: input.actor.email ?? null,
    actorTrustId: input.actor.trustId ?? null,
    actorRole: input.actor.role ?? null,
    sourceTrustId: input.sourceTrustId ?? null,
    patientNhsNumber: input.access?.patientNhsNumber ?? null,
    studyInstanceUid: input.access?.studyInstanceUid ?? null,
    accessionNumber: input.access?.accessionNumber ?? null,
    modality: input.access?.modality ?? null,
    purpose: input.access?.purpose ?? null,
    policyId: input.access?.policy?.id ?? null,
    policyVersion: input.access?.policy?.version ?? null,
    breakGlassJustification: input.access?.breakGlassJustification ?? null,
    ip: input.client?.ip ?? null,
    workstation: input.client?.userAgent ?? null,
    targetType: input.target?.type ?? null,
    targetId: input.target?.id ?? null,
    details: input.details ?? null,
  };
  const hash = chainHash(head.hash, fields);
  await tx.insert(auditEvents).values({ ...fields, details: input.details ?? null, prevHash: head.hash, hash });
  await saveChainHeads(tx, new Map([[chain, { seq: fields.seq, hash }]]));
  return { id: fields.id, seq: fields.seq, hash };
}

/** The before and after of the fields that changed, for the audit record of an edit. */
export function diffOf<T extends Record<string, unknown>>(before: T, after: Partial<T>): { before: Partial<T>; after: Partial<T> } {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key];
      a[key] = after[key];
    }
  }
  return { before: b, after: a };
}
