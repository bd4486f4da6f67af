"use server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { clientInfoFrom } from "@/lib/identity/client-info";
import { readForm, type FormState } from "@/lib/forms";
import { setPasswordWithToken } from "@/lib/identity/password-links";

/** Sets a password through a single-use link, then sends the person to sign in. */
export async function setPasswordAction(_state: FormState, form: FormData): Promise<FormState> {
  const fields = readForm(form);
  if (!fields.ok) return { message: fields.error.message, fieldErrors: fields.error.fieldErrors };
  const { token, password, confirm } = fields.data;
  const input = { token: String(token ?? ""), password: String(password ?? ""), confirm: String(confirm ?? "") };
  const result = await setPasswordWithToken(input, clientInfoFrom(await headers()));
  // Passwords are never sent back to the browser, even on failure.
  if (!result.ok) return { message: result.error.message, fieldErrors: result.error.fieldErrors };
  redirect("/sign-in?passwordSet=1");
}
