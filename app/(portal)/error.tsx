"use client";

// A page that failed: the reference is the one the server's log carries for this error
// (instrumentation.ts onRequestError → lib/log.ts), never the error's own text.
export default function PortalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded border-l-4 border-danger bg-white p-6">
      <h1 className="text-2xl font-bold">Something went wrong</h1>
      <p className="mt-2">
        The page could not be shown{error.digest ? ` (reference ${error.digest})` : ""}. Nothing you were doing has been half-saved: changes are all-or-nothing.
      </p>
      <button type="button" onClick={reset} className="mt-4 rounded bg-brand px-4 py-2 font-semibold text-white">
        Try again
      </button>
    </div>
  );
}
