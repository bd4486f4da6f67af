import Link from "next/link";

const tabs = [
  { href: "/sharing", label: "Policies" },
  { href: "/sharing/approvals", label: "Approvals" },
  { href: "/sharing/matrix", label: "Matrix" },
  { href: "/sharing/restrictions", label: "Restrictions" },
  { href: "/sharing/simulator", label: "Simulator" },
] as const;

/** The sections of sharing; the current one is marked for screen readers too. */
export function SharingTabs({ current }: { current: (typeof tabs)[number]["href"] }) {
  return (
    <nav aria-label="Sharing" className="mb-6 border-b border-line no-print">
      <ul className="flex flex-wrap gap-1">
        {tabs.map((t) => (
          <li key={t.href}>
            <Link
              href={t.href}
              aria-current={t.href === current ? "page" : undefined}
              className={`block px-3 py-2 font-semibold text-brand hover:underline ${t.href === current ? "border-b-4 border-brand" : ""}`}
            >
              {t.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
