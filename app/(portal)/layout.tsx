import Link from "next/link";
import { Suspense } from "react";
import { IdleWarning } from "@/components/layout/idle-warning";
import { PortalNav } from "@/components/layout/portal-nav";
import { env } from "@/lib/env";
import { requireContext } from "@/lib/identity/request";
import { describeCaller } from "@/lib/identity/caller";
import { navFor } from "@/lib/nav";
import { idleSignOutAction, keepAliveAction, signOutAction } from "./actions";

export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const ctx = await requireContext();
  const caller = await describeCaller(ctx);
  return (
    <div className="flex min-h-screen flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:bg-focus focus:p-2">
        Skip to main content
      </a>
      <header className="bg-brand text-white no-print">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-4 px-6 py-3">
          <Link href="/" className="text-xl font-bold text-white">
            Mosaic <span className="font-normal">· {caller.consortiumName}</span>
          </Link>
          <div className="flex items-center gap-4 text-sm">
            <div className="text-right" data-testid="signed-in-as">
              <div className="font-semibold">{ctx.name}</div>
              <div>{caller.summary}</div>
            </div>
            <Link href="/account/mfa" className="text-white underline underline-offset-4">
              Multi-factor sign-in
            </Link>
            <form action={signOutAction}>
              <button type="submit" className="rounded border border-white px-3 py-1.5 font-semibold text-white hover:bg-brand-dark">
                Sign out
              </button>
            </form>
          </div>
        </div>
        <PortalNav items={navFor(ctx).map(({ href, label }) => ({ href, label }))} />
      </header>
      <Suspense fallback={null}>
        <IdleWarning idleMinutes={env().SESSION_IDLE_MINUTES} keepAlive={keepAliveAction} signOut={idleSignOutAction} />
      </Suspense>
      <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-6 py-8">
        {children}
      </main>
    </div>
  );
}
