import "server-only";
import { and, eq } from "drizzle-orm";
import { quotaChangeRequests, storageQuotas, trusts } from "@/db/schema";
import { can, type Ctx } from "@/lib/auth/context";
import { defineMutation } from "@/lib/mutation";
import { AppError, notFound } from "@/lib/errors";
import { bytesPerTerabyte, quotaDecisionInput, quotaRequestInput } from "./schemas";

const requestQuotaChangeMutation = defineMutation({
  name: "quota.request",
  permission: "quota.request",
  refusal: "Only the trust's PACS manager can request a quota change.",
  input: quotaRequestInput,
  audit: ["quota.request"],
  locate: async (tx, ctx, { data }) => {
    const [trust] = await tx.select({ id: trusts.id, odsCode: trusts.odsCode }).from(trusts).where(eq(trusts.odsCode, data.trust));
    // Out of reach is "not found"; a trust the caller sees but may not request for is "forbidden".
    if (!trust || !can(ctx, "capacity.read", trust.id)) throw notFound("No such trust.");
    return { trustId: trust.id, trust };
  },
  run: async ({ tx, ctx, data, found: { trust }, audit }) => {
    const [pending] = await tx
      .select({ id: quotaChangeRequests.id })
      .from(quotaChangeRequests)
      .where(and(eq(quotaChangeRequests.trustId, trust.id), eq(quotaChangeRequests.tier, data.tier), eq(quotaChangeRequests.status, "pending")));
    if (pending) {
      const message = `There is already a pending request for the ${data.tier} tier; wait for the CIO's decision.`;
      throw new AppError("CONFLICT", message, { fieldErrors: { tier: [message] } });
    }
    const [current] = await tx
      .select({ quotaBytes: storageQuotas.quotaBytes })
      .from(storageQuotas)
      .where(and(eq(storageQuotas.trustId, trust.id), eq(storageQuotas.tier, data.tier)));
    const requestedQuotaBytes = Math.round(data.requestedTerabytes * bytesPerTerabyte);
    const [request] = await tx
      .insert(quotaChangeRequests)
      .values({
        trustId: trust.id,
        tier: data.tier,
        currentQuotaBytes: current?.quotaBytes ?? null,
        requestedQuotaBytes,
        reason: data.reason,
        requestedBy: ctx.userId,
      })
      .returning({ id: quotaChangeRequests.id });
    if (!request) throw new Error("insert returned no row");
    await audit({
      action: "quota.request",
      target: { type: "quota_change_request", id: request.id },
      details: { tier: data.tier, currentQuotaBytes: current?.quotaBytes ?? null, requestedQuotaBytes, reason: data.reason },
    });
    return { id: request.id, odsCode: trust.odsCode };
  },
});

/** A PACS manager asks for a trust's quota on a tier to change, saying why (permission quota.request). */
export const requestQuotaChange = (ctx: Ctx, input: unknown) => requestQuotaChangeMutation(ctx, {}, input);

const decideQuotaRequestMutation = defineMutation({
  name: "quota.decide",
  permission: "quota.approve",
  refusal: "Only a CIO can decide a quota request.",
  input: quotaDecisionInput,
  audit: ["quota.approve", "quota.decline"],
  locate: async (tx, ctx, { data }) => {
    const [request] = await tx
      .select({
        trustId: quotaChangeRequests.trustId,
        tier: quotaChangeRequests.tier,
        status: quotaChangeRequests.status,
        requestedQuotaBytes: quotaChangeRequests.requestedQuotaBytes,
      })
      .from(quotaChangeRequests)
      .where(eq(quotaChangeRequests.id, data.requestId))
      .for("update");
    if (!request || !can(ctx, "capacity.read", request.trustId)) throw notFound("No such quota request.");
    return { trustId: request.trustId, request };
  },
  run: async ({ tx, ctx, data, found: { request }, audit }) => {
    if (request.status !== "pending") throw new AppError("CONFLICT", `This request was already ${request.status}.`);
    const now = new Date();
    const status = data.decision === "approve" ? "approved" : "declined";
    await tx
      .update(quotaChangeRequests)
      .set({ status, decidedBy: ctx.userId, decidedAt: now, decisionNote: data.note || null })
      .where(and(eq(quotaChangeRequests.trustId, request.trustId), eq(quotaChangeRequests.id, data.requestId)));
    const [before] = await tx
      .select({ quotaBytes: storageQuotas.quotaBytes })
      .from(storageQuotas)
      .where(and(eq(storageQuotas.trustId, request.trustId), eq(storageQuotas.tier, request.tier)));
    if (status === "approved") {
      await tx
        .insert(storageQuotas)
        .values({ trustId: request.trustId, tier: request.tier, quotaBytes: request.requestedQuotaBytes, updatedAt: now, updatedBy: ctx.userId })
        .onConflictDoUpdate({
          target: [storageQuotas.trustId, storageQuotas.tier],
          set: { quotaBytes: request.requestedQuotaBytes, updatedAt: now, updatedBy: ctx.userId },
        });
    }
    const target = { type: "quota_change_request", id: data.requestId };
    const note = data.note || null;
    if (status === "approved") {
      await audit({
        action: "quota.approve",
        target,
        details: { tier: request.tier, note, before: { quotaBytes: before?.quotaBytes ?? null }, after: { quotaBytes: request.requestedQuotaBytes } },
      });
    } else {
      await audit({ action: "quota.decline", target, details: { tier: request.tier, note } });
    }
    return { id: data.requestId, status };
  },
});

/** A CIO approves (the quota changes at once) or declines a pending request (permission quota.approve). */
export const decideQuotaRequest = (ctx: Ctx, input: unknown) => decideQuotaRequestMutation(ctx, {}, input);
