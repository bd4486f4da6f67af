import "server-only";
import { sql } from "drizzle-orm";
import type { z } from "zod";
import { auditEvents } from "@/db/schema";
import type { Tx } from "@/lib/db/scope";
import type { Ctx } from "@/lib/auth/context";
import type { ChainedFields } from "./canonical";
import { lockChainHeads, saveChainHeads } from "./append";
import { chainHash, chainOf } from "./chain";
import { auditActions, type AuditAction, type AuditDetails } from "./actions";

type AuditOutcome = "success" | "denied" | "failure";

/** What happened, as a caller describes it; the chain fields are added here. */
export type AuditInput<A extends AuditAction = AuditAction> = {
  action: A;
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
  details?: AuditDetails<A>;
  client?: { ip: string | null; userAgent: string | null };
  occurredAt?: Date;
  id?: string;
};

/** The actions recorded so far in each transaction a mutation watches (lib/mutation.ts). */
const auditedIn = new WeakMap<Tx, AuditAction[]>();

/**
 * Runs `fn` and returns, with its result, the audit actions it recorded in `tx`: the mutation
 * contract refuses to commit a change that recorded none of the actions it declares.
 */
export async function watchAudit<T>(tx: Tx, fn: () => Promise<T>): Promise<{ result: T; recorded: AuditAction[] }> {
  const recorded: AuditAction[] = [];
  auditedIn.set(tx, recorded);
  try {
    return { result: await fn(), recorded };
  } finally {
    auditedIn.delete(tx);
  }
}

/** The actor fields of a signed-in caller acting through `role`. */
export function actorOf(ctx: Ctx, role: string | null): AuditInput["actor"] {
  return { userId: ctx.userId, email: ctx.email, trustId: ctx.homeTrustId, role };
}

/**
 * Appends one event to its trust's hash chain, inside the caller's transaction: the change and its
 * audit record commit together or not at all. The chain head is locked for the rest of the
 * transaction, so sequence numbers follow commit order within a chain.
 */
export async function recordAuditEvent<A extends AuditAction>(tx: Tx, input: AuditInput<A>): Promise<{ id: string; seq: number; hash: string }> {
  // The vocabulary is closed at run time too: a code from outside it (a cast, stored data) or details
  // of the wrong shape fail the transaction rather than leave an event no one can read. An event
  // may carry no details at all (mutations always give theirs: lib/mutation.ts).
  if (!Object.hasOwn(auditActions, input.action)) throw new Error(`unknown audit action ${String(input.action)}`);
  const checked = input.details === undefined ? null : (auditActions[input.action] as z.ZodType).safeParse(input.details);
  if (checked && !checked.success) throw new Error(`audit details of ${input.action} do not match their schema: ${checked.error.message}`);
  auditedIn.get(tx)?.push(input.action);
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
  await tx.insert(auditEvents).values({ ...fields, details: (input.details ?? null) as Record<string, unknown> | null, prevHash: head.hash, hash });
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
