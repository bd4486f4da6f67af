"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { SetPasswordLink } from "./set-password-link";

type LinkState = { message?: string; link?: { userId: string; token: string; expiresAt: string } } | null;

/** Makes a new set-password link for the person (a reset) and shows it once. */
export function ResetLinkForm({ action }: { action: (state: LinkState) => Promise<LinkState> }) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col gap-3">
      <FormMessage message={state?.message} />
      {state?.link ? (
        <SetPasswordLink token={state.link.token} expiresAt={state.link.expiresAt} />
      ) : (
        <div>
          <Button type="submit" variant="secondary" disabled={pending}>
            Make a set-password link
          </Button>
        </div>
      )}
    </form>
  );
}
