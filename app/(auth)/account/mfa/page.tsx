import type { Metadata } from "next";
import Link from "next/link";
import { requireEnrollingContext } from "@/lib/identity/request";
import { formatDate } from "@/lib/calendar";
import { getMfaStatus } from "@/lib/identity/mfa";
import { EnrolForm } from "./enrol-form";

export const metadata: Metadata = { title: "Multi-factor sign-in" };

export default async function MfaPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const ctx = await requireEnrollingContext();
  const status = await getMfaStatus(ctx);
  const { required } = await searchParams;
  return (
    <main id="main" className="flex min-h-screen items-center justify-center px-4 py-8">
      <div className="w-full max-w-lg rounded bg-white p-8 shadow">
        <p className="text-sm font-semibold uppercase tracking-wide text-brand">Mosaic</p>
        <h1 className="mb-2 text-3xl font-bold">Multi-factor sign-in</h1>
        {status.enrolled ? (
          <>
            <p className="mb-4">
              Set up on {formatDate(status.confirmedAt)}. You have {status.recoveryCodesLeft} unused recovery {status.recoveryCodesLeft === 1 ? "code" : "codes"}. If you lose your
              device, ask your PACS manager to reset it.
            </p>
            <Link href="/" className="text-brand underline">
              Back to Mosaic
            </Link>
          </>
        ) : (
          <>
            {(required || status.requiredForCaller) && (
              <p role="status" className="mb-4 border-l-4 border-brand bg-canvas p-3">
                The consortium requires a second factor for people with a portal role. Set it up to continue.
              </p>
            )}
            <p className="mb-4 text-muted">
              After your password, Mosaic will ask for a 6-digit code from an authenticator app on your phone (for example Microsoft Authenticator or Google Authenticator).
            </p>
            <EnrolForm />
          </>
        )}
      </div>
    </main>
  );
}
