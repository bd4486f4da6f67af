/**
 * A loading state for a Suspense boundary around slow parts of a page (charts, long searches).
 * Not used as a route-level loading.tsx on record pages: a streamed shell would answer 200 before
 * a "not found" is known, and a record out of reach must answer 404 like a missing one.
 */
export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div role="status" aria-live="polite" className="flex items-center gap-3 py-12 text-muted">
      <span className="h-5 w-5 animate-spin rounded-full border-2 border-brand border-t-transparent" aria-hidden="true" />
      {label}
    </div>
  );
}
