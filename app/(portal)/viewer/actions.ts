"use server";
import { issueViewerTokenFor } from "@/lib/dicomweb/viewer-access";
import { requireContext } from "@/lib/identity/request";
import { AppError } from "@/lib/errors";
import { failureOf, currentRequestId } from "@/lib/log";

export type ViewerTokenState = { token?: string; expiresAt?: string; message?: string } | null;

/** Issues a viewer token for the signed-in person's session (shown once, never stored). */
export async function issueViewerTokenAction(_prior: ViewerTokenState): Promise<ViewerTokenState> {
  const ctx = await requireContext();
  try {
    const issued = await issueViewerTokenFor(ctx);
    return { token: issued.token, expiresAt: issued.expiresAt.toISOString() };
  } catch (error) {
    const failure = failureOf(error, "action", await currentRequestId());
    return { message: error instanceof AppError ? error.message : failure.message };
  }
}
