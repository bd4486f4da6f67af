import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import type { QuotaWarning } from "@/lib/capacity/queries";
import { quotaLevelLabel } from "@/lib/capacity/quota";
import { formatBytes, formatValue } from "@/lib/format";

/** Storage quotas at 80% or 95% and over, for the overview page. Renders nothing when all is well. */
export function QuotaWarnings({ warnings }: { warnings: readonly QuotaWarning[] }) {
  if (warnings.length === 0) return null;
  return (
    <section aria-labelledby="quota-warnings" className="mb-8 border-l-4 border-warning bg-white p-5">
      <h2 id="quota-warnings" className="mb-2 text-xl font-bold">
        Storage quota warnings
      </h2>
      <ul className="flex flex-col gap-2">
        {warnings.map((w) => (
          <li key={`${w.odsCode}-${w.tier}`}>
            <Badge tone={w.level === "critical" ? "danger" : "warning"}>{quotaLevelLabel[w.level]}</Badge>{" "}
            <Link href={`/storage?trust=${w.odsCode}`} className="text-brand underline underline-offset-4">
              {w.odsCode} {w.tier}
            </Link>
            : {formatBytes(w.usedBytes)} of {formatBytes(w.quotaBytes)} used ({formatValue(w.share, "percent")}).
          </li>
        ))}
      </ul>
    </section>
  );
}
