import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <main id="main" className="mx-auto max-w-2xl px-6 py-16">
      <h1 className="text-2xl font-bold">Page not found</h1>
      <p className="mt-2">There is nothing at this address that you can see.</p>
      <Link href="/" className="mt-4 inline-block text-brand underline underline-offset-4">
        Go to the overview
      </Link>
    </main>
  );
}
