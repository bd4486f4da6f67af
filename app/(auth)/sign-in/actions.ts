"use server";
import { AuthError } from "next-auth";
import { credentialsInput } from "@/lib/identity/schemas";
import { signIn } from "@/lib/identity/config";
import { validationError } from "@/lib/errors";
import { readForm, type FormState } from "@/lib/forms";

/** Signs a person in with email and password; Auth.js redirects on success. */
export async function signInAction(_state: FormState, form: FormData): Promise<FormState> {
  const fields = readForm(form);
  if (!fields.ok) return { message: fields.error.message, fieldErrors: fields.error.fieldErrors };
  const values = fields.data;
  const email = String(values.email ?? "");
  const callback = String(values.callbackUrl ?? "/");
  const redirectTo = callback.startsWith("/") && !callback.startsWith("//") && !callback.startsWith("/\\") ? callback : "/";
  const code = String(values.code ?? "").trim() || undefined;
  const parsed = credentialsInput.safeParse({ email, password: values.password, code });
  if (!parsed.success) {
    const error = validationError(parsed.error);
    return { message: "Enter your email address and password.", fieldErrors: error.details?.fieldErrors, values: { email } };
  }
  try {
    await signIn("credentials", { email: parsed.data.email, password: parsed.data.password, code: parsed.data.code ?? "", redirectTo });
    return null;
  } catch (error) {
    if (error instanceof AuthError) {
      const reason = (error as AuthError & { code?: string }).code;
      // The password was right and a second factor is due: ask for it (the form keeps the password).
      if (reason === "mfa_required") return { values: { email, step: "code" } };
      const locked = reason === "locked";
      return {
        message: locked
          ? "This account is locked after too many failed sign-ins. Try again later or ask your PACS manager."
          : reason === "rate_limited"
            ? "Too many sign-in attempts for this account or from this network. Wait a minute, then try again."
            : code
            ? "The email address, password or code is not right, or the account is not active."
            : "The email address or password is not right, or the account is not active.",
        values: { email, step: code ? "code" : "" },
      };
    }
    throw error; // the redirect after a successful sign-in travels as an error
  }
}

/** Starts a single sign-on with the configured OpenID Connect provider; Auth.js redirects there. */
export async function ssoSignInAction(form: FormData): Promise<void> {
  const fields = readForm(form);
  // Only a crafted request sends a reserved field name: sign in to the start page.
  const callback = fields.ok ? String(fields.data.callbackUrl ?? "/") : "/";
  const redirectTo = callback.startsWith("/") && !callback.startsWith("//") && !callback.startsWith("/\\") ? callback : "/";
  await signIn("oidc", { redirectTo });
}
