import Link from "next/link";
import type { ComponentProps } from "react";

const variants = {
  primary: "bg-brand text-white hover:bg-brand-dark",
  secondary: "bg-white text-brand border border-brand hover:bg-canvas",
  quiet: "text-brand underline underline-offset-4 hover:text-brand-dark",
} as const;

type Variant = keyof typeof variants;
const base = "inline-flex items-center gap-2 rounded px-4 py-2 text-sm font-semibold disabled:opacity-60";

export function Button({ variant = "primary", className = "", ...props }: ComponentProps<"button"> & { variant?: Variant }) {
  return <button className={`${base} ${variants[variant]} ${className}`} {...props} />;
}

/**
 * A link to a file the server makes (a CSV or JSON export): a plain `<a href download>`, never
 * next/link. A `Link` first fetches the address as a client-side navigation and, finding a file and
 * not a page, fetches it again as a full navigation: the server ran the export, and recorded its
 * audit event, twice for one click.
 */
export function DownloadLink({ variant = "secondary", className = "", ...props }: Omit<ComponentProps<"a">, "download"> & { href: string; variant?: Variant }) {
  return <a download className={`${base} ${variants[variant]} ${className}`} {...props} />;
}

export function ButtonLink({ variant = "primary", className = "", ...props }: ComponentProps<typeof Link> & { variant?: Variant }) {
  return <Link className={`${base} ${variants[variant]} ${className}`} {...props} />;
}
