import type { ReactNode } from "react";

/** A labelled form control with its hint and error, linked for screen readers. */
export function Field({
  id,
  label,
  hint,
  errors,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  errors?: string[];
  children: (describedBy: string | undefined, invalid: boolean) => ReactNode;
}) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors?.length ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`flex flex-col gap-1 ${errors?.length ? "border-l-4 border-danger pl-3" : ""}`}>
      <label htmlFor={id} className="font-semibold">
        {label}
      </label>
      {hint && (
        <p id={hintId} className="text-sm text-muted">
          {hint}
        </p>
      )}
      {errorId && (
        <p id={errorId} className="text-sm font-semibold text-danger">
          <span className="sr-only">Error: </span>
          {errors?.join(" ")}
        </p>
      )}
      {children(describedBy, Boolean(errorId))}
    </div>
  );
}

export const inputClass =
  "w-full max-w-md rounded border-2 border-ink bg-white px-3 py-2 aria-[invalid=true]:border-danger";
