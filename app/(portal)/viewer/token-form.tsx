"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { issueViewerTokenAction } from "./actions";

/** Issues a token and shows it once, with a ready-made search to try it. */
export function ViewerTokenForm({ gateway, minutes }: { gateway: string; minutes: number }) {
  const [state, issue, issuing] = useActionState(issueViewerTokenAction, null);
  return (
    <form action={issue} className="flex max-w-3xl flex-col gap-4 rounded border border-line bg-white p-5">
      <FormMessage message={state?.message} />
      {state?.token && (
        <div className="flex flex-col gap-2" role="status">
          <p className="font-semibold">
            Your viewer token, valid until {new Date(state.expiresAt!).toLocaleTimeString("en-GB", { timeZone: "Europe/London", hour: "2-digit", minute: "2-digit" })} (UK time) or until you sign out. It is shown only now.
          </p>
          <label htmlFor="viewer-token" className="font-semibold">
            Token
          </label>
          <textarea id="viewer-token" readOnly rows={4} className="w-full break-all rounded border border-line bg-canvas p-2 font-mono text-sm" value={state.token} />
          <p>Try it from a terminal:</p>
          <pre className="overflow-x-auto rounded bg-canvas p-3 text-sm">{`curl -H "Authorization: Bearer <token>" '${gateway}/studies?limit=10'`}</pre>
        </div>
      )}
      <div>
        <Button type="submit" disabled={issuing}>
          {issuing ? "Issuing…" : `Get a viewer token (${minutes} minutes)`}
        </Button>
      </div>
    </form>
  );
}
