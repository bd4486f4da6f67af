import "server-only";
import { z } from "zod";
import { can, roleFor, type Ctx } from "@/lib/auth/context";
import type { Permission } from "@/lib/auth/permissions";
import type { AuditAction, AuditDetails } from "@/lib/audit/actions";
import { actorOf, recordAuditEvent, watchAudit, type AuditInput } from "@/lib/audit/record";
import { AppError, validationError } from "@/lib/errors";
import { toResult, type ActionResult } from "@/lib/result";
import { textProblems } from "@/lib/text-input";
import { withTenant, type Tx } from "@/lib/db/scope";

/** One audit event of a mutation, as its run describes it; actor, trust and client are the wrapper's. */
type MutationEvent<A extends AuditAction> = {
  action: A;
  details: AuditDetails<A>;
  target?: { type: string; id: string };
  /** The trust whose chain records the event, when not the mutation's trust (a user's home trust, say). */
  sourceTrustId?: string | null;
  /** The role the caller acted through, when a rule other than the permission table decided (the grant rule). */
  role?: string | null;
  access?: AuditInput["access"];
};

/** What a mutation's run receives: the parsed input and the trust where the permission was checked. */
type MutationScope<P, I, L, A extends AuditAction> = {
  tx: Tx;
  ctx: Ctx;
  params: P;
  data: I;
  /** What locate found (the record to change, with its trust). */
  found: L;
  /** The trust the change concerns (null: consortium-wide), where the caller holds the permission. */
  trustId: string | null;
  /** Records an audit event in the mutation's transaction. */
  audit: <X extends A>(event: MutationEvent<X>) => Promise<void>;
};

/** What a mutation changes, as locate finds it: at least the trust it belongs to (null: consortium-wide). */
type Located = { trustId: string | null };

type Spec<PS extends z.ZodType, IS extends z.ZodType, L extends Located, A extends AuditAction, T> = {
  /** A unique name: the registry's key, and what tests and logs call it. */
  name: string;
  /** The permission the caller must hold at the trust the input names (lib/auth/permissions.ts). */
  permission: Permission;
  /** What is refused to a caller without the permission there. */
  refusal?: string;
  /** Ids from the page's URL; one that does not parse is "not found". */
  params?: PS;
  /** What "not found" says for such an id. */
  missing?: string;
  /** The input a person sends (form or JSON), parsed after the text scan. */
  input: IS;
  /** The audit actions this change records: at least one of them is recorded, and nothing else. */
  audit: readonly [A, ...A[]];
  /**
   * Finds what the parsed input names and the trust it belongs to (null: consortium-wide). It throws
   * NOT_FOUND for what the caller cannot see, or a field error for a choice outside their reach;
   * the wrapper then checks the permission at that trust.
   */
  locate: (tx: Tx, ctx: Ctx, args: { params: z.output<PS>; data: z.output<IS> }) => Promise<L> | L;
  run: (scope: MutationScope<z.output<PS>, z.output<IS>, L, A>) => Promise<T>;
  /** After a commit (a cache a decision depends on). */
  afterCommit?: () => void;
};

/** A defined mutation: call it with the caller, the URL's ids and the input; its contract is data. */
export type Mutation<P = unknown, T = unknown> = ((ctx: Ctx, params: P, input: unknown) => Promise<ActionResult<T>>) & {
  readonly mutationName: string;
  readonly permission: Permission;
  readonly auditActions: readonly AuditAction[];
};

const registry = new Map<string, Mutation>();

/** Every mutation defined so far (those of every lib/<area>/commands.ts once imported). */
export function registeredMutations(): ReadonlyMap<string, Mutation> {
  return registry;
}

const noParams = z.object({});

/**
 * The one shape of a change made by a person: the input is scanned and parsed with zod, what it
 * names is located (NOT_FOUND when out of the caller's sight), the permission is checked at its
 * trust (FORBIDDEN), and the run and its audit
 * events share one scoped transaction. A run that records none of its declared audit actions, or
 * one it did not declare, fails and rolls back: an unaudited change cannot commit.
 */
export function defineMutation<IS extends z.ZodType, L extends Located, A extends AuditAction, T, PS extends z.ZodType = typeof noParams>(
  spec: Spec<PS, IS, L, A, T>,
): Mutation<z.input<PS>, T> {
  const refused = () => new AppError("FORBIDDEN", spec.refusal ?? "You do not have permission to do this.");
  const call = async (ctx: Ctx, paramsIn: z.input<PS>, input: unknown): Promise<ActionResult<T>> => {
    const result = await toResult(async () => {
      const params = (spec.params ?? noParams).safeParse(paramsIn ?? {});
      if (!params.success) throw new AppError("NOT_FOUND", spec.missing ?? "Not found.");
      const problems = textProblems(input);
      if (problems.length) throw new AppError("VALIDATION", "Some fields need attention.", { fieldErrors: Object.fromEntries(problems.map((p) => [p.path.join(".") || "_form", [p.message]])) });
      const parsed = spec.input.safeParse(input);
      if (!parsed.success) throw validationError(parsed.error);
      const data: z.output<IS> = parsed.data;
      return withTenant(ctx, async (tx) => {
        const found = await spec.locate(tx, ctx, { params: params.data as z.output<PS>, data });
        const { trustId } = found;
        if (!can(ctx, spec.permission, trustId)) throw refused();
        const audit = async <X extends A>(e: MutationEvent<X>) => {
          await recordAuditEvent(tx, {
            action: e.action,
            actor: actorOf(ctx, e.role !== undefined ? e.role : roleFor(ctx, spec.permission, trustId)),
            sourceTrustId: e.sourceTrustId !== undefined ? e.sourceTrustId : trustId,
            target: e.target,
            access: e.access,
            details: e.details,
            client: ctx.client,
          } as AuditInput<X>);
        };
        const { result: out, recorded } = await watchAudit(tx, () => spec.run({ tx, ctx, params: params.data as z.output<PS>, data, found, trustId, audit }));
        const declared = new Set<AuditAction>(spec.audit);
        if (!recorded.some((a) => declared.has(a))) throw new Error(`mutation ${spec.name} recorded no audit event`);
        const stray = recorded.filter((a) => !declared.has(a));
        if (stray.length) throw new Error(`mutation ${spec.name} recorded undeclared audit actions: ${stray.join(", ")}`);
        return out;
      });
    });
    if (result.ok) spec.afterCommit?.();
    return result;
  };
  const mutation = Object.assign(call, { mutationName: spec.name, permission: spec.permission, auditActions: [...spec.audit] });
  // Set, not refused when present: a module reloaded in development defines its mutations again.
  // The registry test counts the definitions in the source, so two of one name fail there.
  registry.set(spec.name, mutation as unknown as Mutation);
  return mutation;
}

/** Is this database error a unique violation (optionally of one constraint)? Works for both drivers. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const { code, constraint: c, constraint_name: cn } = e as { code?: string; constraint?: string; constraint_name?: string };
    if (code === "23505") return !constraint || c === constraint || cn === constraint || String((e as Error).message).includes(constraint);
  }
  return false;
}
