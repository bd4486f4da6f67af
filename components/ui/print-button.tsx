"use client";

export function PrintButton({ label = "Print" }: { label?: string }) {
  return (
    <button type="button" onClick={() => window.print()} className="inline-flex items-center gap-2 rounded border border-brand bg-white px-4 py-2 text-sm font-semibold text-brand hover:bg-canvas">
      {label}
    </button>
  );
}
