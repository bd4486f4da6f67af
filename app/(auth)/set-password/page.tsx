import type { Metadata } from "next";
import Link from "next/link";
import { inspectPasswordToken } from "@/lib/identity/password-links";
import { passwordMinLength } from "@/lib/identity/password-policy";
import { SetPasswordForm } from "./set-password-form";

export const metadata: Metadata = { title: "Set your password", referrer: "no-referrer" };

export default async function SetPasswordPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const token = typeof params.token === "string" ? params.token : "";
  const person = token ? await inspectPasswordToken(token) : null;
  return (
    <main id="main" className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-md rounded bg-white p-8 shadow">
        <p className="text-sm font-semibold uppercase tracking-wide text-brand">Mosaic</p>
        <h1 className="mb-2 text-3xl font-bold">Set your password</h1>
        {person ? (
          <>
            <p className="mb-6 text-muted">
              For {person.name} ({person.email}). Use at least {passwordMinLength} characters: three random words make a password that is long, strong and easy to remember.
              There are no rules about digits or symbols.
            </p>
            <SetPasswordForm token={token} />
          </>
        ) : (
          <>
            <p role="alert" className="mb-4 border-l-4 border-danger bg-canvas p-3">
              This link has expired or has already been used. Ask your PACS manager for a new one.
            </p>
            <Link href="/sign-in" className="text-brand underline">
              Go to sign in
            </Link>
          </>
        )}
      </div>
    </main>
  );
}
