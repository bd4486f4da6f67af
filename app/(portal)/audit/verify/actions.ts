"use server";
import { revalidatePath } from "next/cache";
import { runVerification } from "@/lib/audit/verify-runs";
import { verifyRunInput } from "@/lib/audit/verify-schemas";
import { requireContext } from "@/lib/identity/request";
import { readForm } from "@/lib/forms";

/** Runs a verification of the caller's chains; the page then shows it as the latest run. */
export async function runVerificationAction(form: FormData): Promise<void> {
  const ctx = await requireContext();
  // Only the two buttons send this; anything else is the default walk.
  const fields = readForm(form);
  const parsed = verifyRunInput.safeParse({ mode: fields.ok ? fields.data.mode : undefined });
  await runVerification(ctx, parsed.success ? parsed.data.mode : "since_checkpoint");
  revalidatePath("/audit/verify");
}
