"use server";
import { revalidatePath } from "next/cache";
import { runVerification } from "@/lib/audit/verify-runs";
import { requireContext } from "@/lib/auth/request";

/** Runs a verification of the caller's chains; the page then shows it as the latest run. */
export async function runVerificationAction(): Promise<void> {
  const ctx = await requireContext();
  await runVerification(ctx);
  revalidatePath("/audit/verify");
}
