"use server";
import { redirect } from "next/navigation";
import { requireContext } from "@/lib/identity/request";
import { failedForm, readForm, type FormState } from "@/lib/forms";
import { attributeStudy } from "@/lib/pacs/commands";

// The caller from the session, the form decoded by readForm, then lib/ parses, checks that the
// caller is a consortium administrator, records the exam and the study row, and audits, in one transaction.
export async function attributeStudyAction(_state: FormState, form: FormData): Promise<FormState> {
  const ctx = await requireContext();
  const fields = readForm(form);
  if (!fields.ok) return failedForm(fields, {});
  const result = await attributeStudy(ctx, fields.data);
  if (!result.ok) return failedForm(result, fields.data);
  redirect(`/studies/unattributed?${new URLSearchParams({ attributed: `${result.data.odsCode} ${result.data.siteCode}` })}`);
}
