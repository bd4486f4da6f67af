"use server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { clientInfoFrom } from "@/lib/auth/client-info";
import type { FormState } from "@/lib/forms";
import { setPasswordWithToken } from "@/lib/identity/password-links";

/** Sets a password through a single-use link, then sends the person to sign in. */
export async function setPasswordAction(_state: FormState, form: FormData): Promise<FormState> {
  const input = { token: String(form.get("token") ?? ""), password: String(form.get("password") ?? ""), confirm: String(form.get("confirm") ?? "") };
  const result = await setPasswordWithToken(input, clientInfoFrom(await headers()));
  // Passwords are never sent back to the browser, even on failure.
  if (!result.ok) return { message: result.error.message, fieldErrors: result.error.fieldErrors };
  redirect("/sign-in?passwordSet=1");
}
