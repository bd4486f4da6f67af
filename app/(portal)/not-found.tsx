import Link from "next/link";

export default function NotFound() {
  return (
    <div className="rounded bg-white p-6">
      <h1 className="text-2xl font-bold">Page not found</h1>
      <p className="mt-2">There is nothing at this address that you can see. Check the address, or go back to the overview.</p>
      <Link href="/" className="mt-4 inline-block text-brand underline underline-offset-4">
        Go to the overview
      </Link>
    </div>
  );
}
