"use client";
import Link, { useLinkStatus } from "next/link";
import { usePathname } from "next/navigation";

/** Shows, inside a link, that the page it leads to is loading (pages render on the server). */
function PendingMark() {
  const { pending } = useLinkStatus();
  return pending ? (
    <span role="status" className="ml-2 inline-block h-3 w-3 animate-spin rounded-full border-2 border-white border-t-transparent align-middle">
      <span className="sr-only">Loading</span>
    </span>
  ) : null;
}

/** The portal's main navigation; the current section is marked for screen readers too. */
export function PortalNav({ items }: { items: { href: string; label: string }[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="bg-brand-dark">
      <ul className="mx-auto flex max-w-7xl flex-wrap gap-1 px-4">
        {items.map((item) => {
          const current = item.href === "/" ? pathname === "/" : pathname === item.href || pathname.startsWith(`${item.href}/`);
          return (
            <li key={item.href}>
              <Link
                href={item.href}
                aria-current={current ? "page" : undefined}
                className={`block px-3 py-2 text-sm font-semibold text-white hover:underline ${current ? "border-b-4 border-white" : ""}`}
              >
                {item.label}
                <PendingMark />
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
