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

export function ButtonLink({ variant = "primary", className = "", ...props }: ComponentProps<typeof Link> & { variant?: Variant }) {
  return <Link className={`${base} ${variants[variant]} ${className}`} {...props} />;
}
