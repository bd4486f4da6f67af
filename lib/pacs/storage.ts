import "server-only";
// Storage usage per trust follows from what the archive holds: the online tier of each trust, per
// modality, is the sum of the sizes of its recorded studies that the archive still holds. Recorded
// through the same validation and upsert as POST /api/v1/storage-usage, so the storage page and the
// gateway's quota check (the newest online snapshot) read it like any PACS's report.
import { sql } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import { londonToday } from "@/lib/calendar";
import { ingestStorageUsage } from "@/lib/capacity/ingest";
import { withSystem } from "@/lib/db/scope";

/**
 * Records today's online snapshot of every trust with studies in the archive, one per modality.
 * A modality whose studies have all left the archive is recorded as 0 bytes (not left at its last
 * figure). Idempotent per day: the same figures again change nothing, new ones replace the day's.
 */
export async function recordArchiveStorage(now = new Date()): Promise<{ snapshots: number }> {
  const rows = await withSystem(async (tx) =>
    rowsOf<{ trust: string; modality: string; bytes: string | number }>(
      // The exam's modality is the one its throughput counts under; a row's own is the archive's.
      await tx.execute(sql`
        select t.ods_code as trust, coalesce(e.modality, s.modality) as modality,
               coalesce(sum(s.size_bytes) filter (where s.status = 'recorded'), 0)::bigint as bytes
          from pacs_studies s
          join trusts t on t.id = s.trust_id
          left join exams e on e.study_instance_uid = s.study_instance_uid and e.trust_id = s.trust_id
         where s.trust_id is not null and s.status in ('recorded', 'deleted')
           and coalesce(e.modality, s.modality) is not null
         group by 1, 2
         order by 1, 2`),
    ),
  );
  if (rows.length === 0) return { snapshots: 0 };
  const date = londonToday(now);
  const usage = rows.map((r) => ({ trust: r.trust, tier: "online", date, modality: r.modality, bytes: Number(r.bytes) }));
  let snapshots = 0;
  for (let i = 0; i < usage.length; i += 1000) {
    snapshots += (await ingestStorageUsage({ all: true }, { usage: usage.slice(i, i + 1000) })).accepted;
  }
  return { snapshots };
}
