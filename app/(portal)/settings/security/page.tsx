import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/auth/context";
import { requireContext } from "@/lib/identity/request";
import { env } from "@/lib/env";
import { getMfaRequirement } from "@/lib/identity/mfa";
import { setMfaRequirementAction } from "./actions";

export const metadata: Metadata = { title: "Sign-in security" };

export default async function SecuritySettingsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const ctx = await requireContext();
  if (!can(ctx, "settings.write", null)) notFound();
  const required = await getMfaRequirement(ctx);
  const { saved, failed } = await searchParams;
  const e = env();
  return (
    <>
      <PageHeader title="Sign-in security" description="Consortium-wide rules for signing in to Mosaic." />
      {saved && (
        <p role="status" className="mb-4 border-l-4 border-success bg-white p-3 font-semibold">
          Setting saved.
        </p>
      )}
      {failed && (
        <p role="alert" className="mb-4 border-l-4 border-danger bg-white p-3">
          {failed.slice(0, 300)}
        </p>
      )}
      <form action={setMfaRequirementAction} className="mb-8 flex max-w-2xl flex-col gap-4 rounded border border-line bg-white p-5">
        <div className="flex items-start gap-3">
          <input id="required" name="required" type="checkbox" defaultChecked={required} className="mt-1 h-5 w-5" />
          <label htmlFor="required">
            <span className="font-semibold">Require multi-factor sign-in for portal roles</span>
            <span className="block text-muted">
              PACS managers, IG officers, CIOs and administrators must sign in with a code from an authenticator app. Those without one set it up at their next sign-in.
            </span>
          </label>
        </div>
        <div>
          <Button type="submit">Save</Button>
        </div>
      </form>
      <h2 className="mb-2 text-xl font-bold">Set by the environment</h2>
      <dl className="grid max-w-2xl grid-cols-[max-content_1fr] gap-x-6 gap-y-2">
        <dt className="font-semibold">Idle sign-out</dt>
        <dd>after {e.SESSION_IDLE_MINUTES} minutes (SESSION_IDLE_MINUTES), with a warning first</dd>
        <dt className="font-semibold">Longest session</dt>
        <dd>{e.SESSION_MAX_HOURS} hours (SESSION_MAX_HOURS)</dd>
        <dt className="font-semibold">Lockout</dt>
        <dd>
          after {e.SIGN_IN_MAX_FAILURES} failed sign-ins, for {e.SIGN_IN_LOCKOUT_MINUTES} minutes
        </dd>
        <dt className="font-semibold">Passwords</dt>
        <dd>at least 12 characters, common passwords refused, no composition rules (NCSC)</dd>
      </dl>
    </>
  );
}
