import { useId } from "react";

/**
 * A short explanation behind a button: shown on hover and on keyboard focus, and read by screen
 * readers through aria-describedby (which reads a hidden element too). Hidden with `display: none`,
 * not `visibility: hidden`: an invisible box still widens the page, and at 390 px the storage
 * page scrolled sideways by the width of a tooltip nobody had opened. Shown, it fits a phone's width.
 */
export function Tooltip({ label, children }: { label: string; children: React.ReactNode }) {
  const id = useId();
  return (
    <span className="group relative inline-block">
      <button type="button" aria-describedby={id} className="ml-1 rounded-full border border-brand px-1.5 text-xs font-bold text-brand">
        ?<span className="sr-only"> {label}</span>
      </button>
      <span
        role="tooltip"
        id={id}
        className="absolute left-0 top-full z-10 mt-1 hidden w-72 max-w-[calc(100vw-2rem)] rounded border border-line bg-white p-3 text-sm font-normal text-ink shadow group-focus-within:block group-hover:block"
      >
        {children}
      </span>
    </span>
  );
}
