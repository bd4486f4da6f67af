"use client";
import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";

/**
 * Warns before the server signs an idle person out, and lets them stay. The server's idle clock
 * restarts at every request it sees, to the second, so the count here starts at the last
 * navigation, a moment after the server saw it: a few seconds' slack covers that moment. When time
 * is up, the session is ended from here, so the person is not left looking at a page whose next
 * click would fail.
 */
type Props = { idleMinutes: number; keepAlive: () => Promise<void>; signOut: () => Promise<void> };

export function IdleWarning(props: Props) {
  // Every navigation is a request the server saw: a new key starts the count again.
  const pathname = usePathname();
  const search = useSearchParams();
  return <IdleCountdown key={`${pathname}?${search.toString()}`} {...props} />;
}

function IdleCountdown({ idleMinutes, keepAlive, signOut }: Props) {
  const [lastActive, setLastActive] = useState(() => Date.now());
  const [now, setNow] = useState(() => Date.now());
  const button = useRef<HTMLButtonElement>(null);
  const signingOut = useRef(false);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const idleMs = idleMinutes * 60_000;
  const slack = 5_000;
  const warnBefore = Math.min(2 * 60_000, idleMs / 2);
  const remaining = lastActive + idleMs - slack - now;
  const warning = remaining <= warnBefore;

  useEffect(() => {
    if (warning) button.current?.focus();
  }, [warning]);
  useEffect(() => {
    if (remaining <= 0 && !signingOut.current) {
      signingOut.current = true;
      void signOut();
    }
  }, [remaining, signOut]);

  if (!warning) return null;
  const seconds = Math.max(0, Math.ceil(remaining / 1000));
  const minutes = Math.floor(seconds / 60);
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-black/40 p-4">
      <div role="alertdialog" aria-modal="true" aria-labelledby="idle-title" aria-describedby="idle-text" className="w-full max-w-md rounded bg-white p-6 shadow-lg">
        <h2 id="idle-title" className="mb-2 text-xl font-bold">
          You are about to be signed out
        </h2>
        <p id="idle-text" className="mb-4" aria-live="polite" data-testid="idle-countdown">
          For security, Mosaic signs you out after {idleMinutes} minutes without activity. You will be signed out in{" "}
          {minutes > 0 ? `${minutes} min ${seconds % 60} s` : `${seconds} s`}.
        </p>
        <div className="flex gap-3">
          <button
            ref={button}
            type="button"
            className="rounded bg-brand px-4 py-2 font-semibold text-white"
            onClick={async () => {
              await keepAlive();
              setLastActive(Date.now());
            }}
          >
            Stay signed in
          </button>
          <button type="button" className="rounded border border-brand px-4 py-2 font-semibold text-brand" onClick={() => void signOut()}>
            Sign out now
          </button>
        </div>
      </div>
    </div>
  );
}
