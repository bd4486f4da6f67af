"use client";
import Link from "next/link";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { confirmEnrolmentAction, startEnrolmentAction, type EnrolState } from "./actions";

/** Enrolment in three steps: show the QR code and key, check a code, show the recovery codes once. */
export function EnrolForm() {
  const [setup, setSetup] = useState<EnrolState>(null);
  const [starting, setStarting] = useState(false);
  const [state, confirm, confirming] = useActionState(confirmEnrolmentAction, null);

  if (state?.recoveryCodes) {
    return (
      <div className="flex flex-col gap-4">
        <p role="status" className="border-l-4 border-success bg-white p-3 font-semibold">
          Multi-factor sign-in is set up.
        </p>
        <p>
          Keep these recovery codes somewhere safe, away from your phone. Each works once if you cannot use your app. They are shown only now.
        </p>
        <ul className="grid grid-cols-2 gap-2 rounded border border-line bg-canvas p-4 font-mono" aria-label="Recovery codes" data-testid="recovery-codes">
          {state.recoveryCodes.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
        <Link href="/" className="text-brand underline">
          Continue to Mosaic
        </Link>
      </div>
    );
  }
  const current = setup?.setup ? setup : null;
  if (!current) {
    return (
      <div className="flex flex-col gap-3">
        <FormMessage message={setup?.message} />
        <div>
          <Button
            type="button"
            disabled={starting}
            onClick={async () => {
              setStarting(true);
              setSetup(await startEnrolmentAction());
              setStarting(false);
            }}
          >
            Set up multi-factor sign-in
          </Button>
        </div>
      </div>
    );
  }
  return (
    <form action={confirm} className="flex flex-col gap-5" noValidate>
      <FormMessage message={state?.message} />
      <div>
        <p className="mb-2">1. Scan this QR code with your authenticator app.</p>
        {/* eslint-disable-next-line @next/next/no-img-element -- a generated data: URL, nothing for the image optimiser to do */}
        <img src={current.setup?.qrDataUrl} width={240} height={240} alt="QR code to add Mosaic to your authenticator app (the key is also shown below)" />
        <p className="mt-2">
          Or type this key into the app: <code className="break-all font-mono font-semibold" data-testid="totp-key">{current.setup?.secret}</code>
        </p>
      </div>
      <Field id="code" label="2. Enter the 6-digit code the app shows" errors={state?.fieldErrors?.code}>
        {(describedBy, invalid) => <input id="code" name="code" inputMode="numeric" autoComplete="one-time-code" required aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} />}
      </Field>
      <div>
        <Button type="submit" disabled={confirming}>
          Confirm
        </Button>
      </div>
    </form>
  );
}
