import Link from "next/link";
import { plural } from "@/lib/format";

/** The overview's pointer to the studies that wait for a consortium administrator (none: nothing shown). */
export function UnattributedNotice({ count }: { count: number | null }) {
  if (!count) return null;
  return (
    <section aria-labelledby="unattributed-heading" className="mb-8 rounded border border-warning bg-white p-5">
      <h2 id="unattributed-heading" className="mb-2 text-xl font-bold">
        Studies waiting for attribution
      </h2>
      <p>
        The archive holds {plural(count, "study", "studies")} that no trust has been given yet.{" "}
        <Link href="/studies/unattributed" className="text-brand underline">
          Review unattributed studies
        </Link>
      </p>
    </section>
  );
}
