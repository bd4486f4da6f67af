"use server";
import { AuthError } from "next-auth";
import { credentialsInput } from "@/lib/auth/schemas";
import { signIn } from "@/lib/auth/config";
import { validationError } from "@/lib/errors";
import type { FormState } from "@/lib/forms";

/** Signs a person in with email and password; Auth.js redirects on success. */
export async function signInAction(_state: FormState, form: FormData): Promise<FormState> {
  const email = String(form.get("email") ?? "");
  const callback = String(form.get("callbackUrl") ?? "/");
  const redirectTo = callback.startsWith("/") && !callback.startsWith("//") && !callback.startsWith("/\\") ? callback : "/";
  const parsed = credentialsInput.safeParse({ email, password: form.get("password") });
  if (!parsed.success) {
    const error = validationError(parsed.error);
    return { message: "Enter your email address and password.", fieldErrors: error.details?.fieldErrors, values: { email } };
  }
  try {
    await signIn("credentials", { email: parsed.data.email, password: parsed.data.password, redirectTo });
    return null;
  } catch (error) {
    if (error instanceof AuthError) {
      const locked = (error as AuthError & { code?: string }).code === "locked";
      return {
        message: locked
          ? "This account is locked after too many failed sign-ins. Try again later or ask your PACS manager."
          : "The email address or password is not right, or the account is not active.",
        values: { email },
      };
    }
    throw error; // the redirect after a successful sign-in travels as an error
  }
}
