"use client";
import { useState } from "react";

/** A set-password link, shown once: it is not stored anywhere the manager could see it again. */
export function SetPasswordLink({ token, expiresAt }: { token: string; expiresAt: string }) {
  const [copied, setCopied] = useState(false);
  // Rendered only after the action answers, in the browser.
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const url = `${origin}/set-password?token=${encodeURIComponent(token)}`;
  return (
    <div role="status" className="border-l-4 border-success bg-white p-4" data-testid="set-password-link">
      <p className="font-semibold">Set-password link (shown only now)</p>
      <p className="text-sm text-muted">
        Give it to the person directly. It works once and expires{" "}
        {new Date(expiresAt).toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "Europe/London" })}.
      </p>
      <label htmlFor="set-password-url" className="sr-only">
        Set-password link
      </label>
      <input id="set-password-url" readOnly value={url} className="mt-2 w-full rounded border border-line bg-canvas px-2 py-1 font-mono text-sm" onFocus={(e) => e.currentTarget.select()} />
      <button
        type="button"
        className="mt-2 rounded border border-brand px-3 py-1 text-sm font-semibold text-brand"
        onClick={async () => {
          await navigator.clipboard?.writeText(url);
          setCopied(true);
        }}
      >
        {copied ? "Copied" : "Copy link"}
      </button>
    </div>
  );
}
