import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ssoName } from "@/lib/identity/config";
import { getRequestContext } from "@/lib/identity/request";
import { ssoSignInAction } from "./actions";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

function safeCallback(value: string | string[] | undefined): string {
  const url = Array.isArray(value) ? value[0] : value;
  // Only paths on this site: never "//host" or "https://…", which would make an open redirect.
  return url && url.startsWith("/") && !url.startsWith("//") && !url.startsWith("/\\") ? url : "/";
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  if (await getRequestContext()) redirect(safeCallback(params.callbackUrl));
  const errorNotices: Record<string, string> = {
    sso_unknown: "No Mosaic account matches that identity. Ask your PACS manager to add you with the email address your organisation uses.",
    sso_inactive: "Your Mosaic account is not active. Ask your PACS manager.",
  };
  const error = typeof params.error === "string" ? params.error : undefined;
  const notice = params.signedOut
    ? "You have signed out."
    : params.passwordSet
      ? "Your password is set. Sign in with it now."
      : params.idle
        ? "You were signed out after a period without activity. Sign in again to continue."
        : params.ended
          ? "Your session has ended. Sign in again to continue."
          : error
            ? (errorNotices[error] ?? "Sign-in failed. Check your email and password.")
            : undefined;
  const sso = ssoName();
  return (
    <main id="main" className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-md rounded bg-white p-8 shadow">
        <p className="text-sm font-semibold uppercase tracking-wide text-brand">Mosaic</p>
        <h1 className="mb-2 text-3xl font-bold">Sign in</h1>
        <p className="mb-6 text-muted">The administration portal of the consortium&apos;s cloud PACS.</p>
        {notice && (
          <p role="status" className="mb-4 border-l-4 border-brand bg-canvas p-3">
            {notice}
          </p>
        )}
        {sso && (
          <form action={ssoSignInAction} className="mb-6">
            <input type="hidden" name="callbackUrl" value={safeCallback(params.callbackUrl)} />
            <button type="submit" className="w-full rounded border-2 border-brand bg-white px-4 py-2 font-semibold text-brand">
              Sign in with {sso}
            </button>
            <p className="mt-4 text-center text-sm text-muted">or with your Mosaic password</p>
          </form>
        )}
        <SignInForm callbackUrl={safeCallback(params.callbackUrl)} />
      </div>
    </main>
  );
}
