import Link from "next/link";

/** The audit section's own navigation (the sections come from lib/nav.ts, filtered by permission). */
export function AuditSubnav({ current, sections }: { current: string; sections: { href: string; label: string }[] }) {
  return (
    <nav aria-label="Audit" className="mb-4 no-print">
      <ul className="flex gap-4 border-b border-line">
        {sections.map((i) => (
          <li key={i.href}>
            <Link href={i.href} aria-current={i.href === current ? "page" : undefined} className={`inline-block px-1 py-2 ${i.href === current ? "border-b-4 border-brand font-semibold" : "text-brand underline"}`}>
              {i.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
