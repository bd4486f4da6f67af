// The audit search by study: its Study Instance UID or its accession number. Each trust's officer
// sees a study's events about their trust's images or by their trust's staff, no others; the
// search reads the study's whole history (no 30-day default window), through the study's index.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/audit-events/route";
import { searchAuditEvents } from "@/lib/audit/search";
import { auditFilter } from "@/lib/audit/search-filter";
import type { Ctx } from "@/lib/auth/context";
import { testDatabase } from "../helpers/database";
import { accessEventBody, makeApiKey, postJson } from "../helpers/api";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";

let a: TestTrust, b: TestTrust, c: TestTrust;
let igA: Ctx, igB: Ctx, igC: Ctx, igAll: Ctx;
const s1 = "1.2.826.0.1.3680043.9.7001";
const s2 = "1.2.826.0.1.3680043.9.7002";
const s3 = "1.2.826.0.1.3680043.9.7003";

let minute = 0;
// May 2026: months before today, so a search without its own window would not reach them.
const at = () => new Date(Date.UTC(2026, 4, 3, 9, 0, 0) + ++minute * 60_000).toISOString();
const clinician = (t: TestTrust) => `clinician@${t.odsCode.toLowerCase()}.example`;
const view = (actor: TestTrust, source: TestTrust, studyInstanceUid: string, accessionNumber: string) =>
  accessEventBody(
    { user: clinician(actor), actorTrust: actor.odsCode, sourceTrust: source.odsCode },
    { occurredAt: at(), study: { studyInstanceUid, accessionNumber, sourceTrust: source.odsCode, modality: "CT" } },
  );

beforeAll(async () => {
  [a, b, c] = [await makeTrust(), await makeTrust(), await makeTrust()];
  igA = await makeUser([{ role: "ig_officer", trustId: a.id }]);
  igB = await makeUser([{ role: "ig_officer", trustId: b.id }]);
  igC = await makeUser([{ role: "ig_officer", trustId: c.id }]);
  igAll = await makeUser([{ role: "ig_officer", trustId: null }], { homeTrustId: null });
  const key = await makeApiKey(["audit:write"]);
  // S1 (A's images, accession ACC-1): 3 views by A's staff, 2 by B's, 1 by C's.
  // S2 (C's images, ACC-2): 2 by C's staff, 1 by A's. S3 (C's images) reuses ACC-1: accession
  // numbers are a trust's own, so two trusts may have the same one. 2 views by C's staff.
  const events = [
    ...Array.from({ length: 3 }, () => view(a, a, s1, "ACC-1")),
    ...Array.from({ length: 2 }, () => view(b, a, s1, "ACC-1")),
    view(c, a, s1, "ACC-1"),
    ...Array.from({ length: 2 }, () => view(c, c, s2, "ACC-2")),
    view(a, c, s2, "ACC-2"),
    ...Array.from({ length: 2 }, () => view(c, c, s3, "ACC-1")),
  ];
  const res = await POST(postJson("/api/v1/audit-events", key, { events }));
  expect(await res.json()).toEqual({ accepted: events.length, duplicates: 0 });
});

const search = async (ctx: Ctx, filter: Record<string, string>) => {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 20; pages++) {
    // Accesses only: the officers' own searches name the study too (below).
    const page = await searchAuditEvents(ctx, auditFilter.parse({ ...filter, action: "study.view", cursor }), 2);
    ids.push(...page.rows.filter((r) => r.action === "study.view").map((r) => `${r.actorTrust}>${r.sourceTrust}:${r.studyInstanceUid}`));
    if (!page.nextCursor) return ids;
    cursor = page.nextCursor;
  }
  throw new Error("paging did not end");
};

describe("audit search by study", () => {
  it("finds a study's events by its Study Instance UID, all of its history, as far as each officer may see", async () => {
    expect(await search(igAll, { study: s1 })).toHaveLength(6);
    expect(await search(igA, { study: s1 })).toHaveLength(6); // every view of A's images
    expect(await search(igB, { study: s1 })).toEqual([`${b.odsCode}>${a.odsCode}:${s1}`, `${b.odsCode}>${a.odsCode}:${s1}`]);
    expect(await search(igC, { study: s1 })).toEqual([`${c.odsCode}>${a.odsCode}:${s1}`]);
    expect(await search(igA, { study: s2 })).toEqual([`${a.odsCode}>${c.odsCode}:${s2}`]); // A's staff on C's images
    expect(await search(igB, { study: s2 })).toEqual([]);
  });

  it("finds a study by its accession number, across trusts that share one, and narrows by trust", async () => {
    expect(await search(igAll, { accession: "ACC-1" })).toHaveLength(8);
    expect(await search(igAll, { accession: " ACC-1 ", trust: c.odsCode })).toHaveLength(2);
    expect(await search(igA, { accession: "ACC-1" })).toHaveLength(6);
    expect(await search(igC, { accession: "ACC-1" })).toHaveLength(3);
    expect(await search(igB, { accession: "ACC-2" })).toEqual([]);
    expect(await search(igAll, { accession: "ACC-9" })).toEqual([]);
  });

  it("refuses what is not a Study Instance UID or accession number, naming the field", () => {
    for (const study of ["abc", "1.2.03", "1", "1..2", `1.${"2".repeat(63)}`]) {
      const parsed = auditFilter.safeParse({ study });
      expect(parsed.success, study).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(["study"]);
    }
    const long = auditFilter.safeParse({ accession: "A".repeat(65) });
    expect(long.error?.issues[0]?.path).toEqual(["accession"]);
    expect(auditFilter.parse({ study: "", accession: "  " })).toEqual({});
  });

  it("records the study an officer looked up on the search's own event, so that searching the study finds who looked", async () => {
    await searchAuditEvents(igB, auditFilter.parse({ study: s2 }));
    await searchAuditEvents(igB, auditFilter.parse({ accession: "ACC-2" }));
    const lookups = await searchAuditEvents(igAll, auditFilter.parse({ study: s2, action: "audit.search" }));
    expect(lookups.rows.map((r) => r.actorEmail)).toContain(igB.email);
    const byAccession = await searchAuditEvents(igAll, auditFilter.parse({ accession: "ACC-2", action: "audit.search" }));
    expect(byAccession.rows.map((r) => r.actorEmail)).toContain(igB.email);
    const [recorded] = await ownerQuery<{ details: { filter: Record<string, string> } }>(
      sql`select details from audit_events where actor_user_id = ${igB.userId} and study_instance_uid = ${s2} order by seq desc limit 1`,
    );
    expect(recorded?.details.filter).toMatchObject({ study: s2 });
  });

  it("reads a study's page in the study's index, newest first, whatever the history (no sort of its events)", async () => {
    const { db } = testDatabase();
    for (const [column, value] of [
      ["study_instance_uid", s1],
      ["accession_number", "ACC-1"],
    ] as const) {
      const plan = await db.transaction(async (tx) => {
        // Tiny tables: a sequential scan would be as cheap; what matters is that the index exists to lead the plan.
        await tx.execute(sql`set local enable_seqscan = off`);
        await tx.execute(sql`set local enable_bitmapscan = off`);
        const result = await tx.execute(
          sql`explain (format text) select id from audit_events where ${sql.identifier(column)} = ${value} order by occurred_at desc, id limit 51`,
        );
        const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, string>[];
        return rows.map((r) => Object.values(r)[0]).join("\n");
      });
      // Each monthly partition's copy of audit_events_study_idx (or _accession_idx), named by PostgreSQL after its columns.
      expect(plan).toMatch(new RegExp(`Index Only Scan using audit_events_\\d{4}_\\d{2}_${column}_occurred_at_id`));
      expect(plan).not.toMatch(/\bSort\b/);
    }
  });
});
