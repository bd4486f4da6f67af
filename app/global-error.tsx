"use client";

// The last boundary: the root layout itself failed, so this page brings its own html and body.
// As on every error page, the reference is the one the server's log carries (lib/log.ts).
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en-GB">
      <body>
        <main role="alert" style={{ fontFamily: "system-ui, sans-serif", padding: "2rem", maxWidth: "40rem" }}>
          <h1>Something went wrong</h1>
          <p>
            Mosaic could not show this page{error.digest ? ` (reference ${error.digest})` : ""}. Nothing you were doing has been half-saved: changes are all-or-nothing.
          </p>
          <button type="button" onClick={reset}>
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
