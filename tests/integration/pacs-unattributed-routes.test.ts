// The unattributed studies' CSV answers through the portal's one door: a trust's people get the
// page's 404 (they never learn such studies exist), a bad filter a 4xx naming the field, and a
// consortium administrator the rows, with the export recorded in the audit trail.
import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { makeTrust, makeUser, ownerQuery } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";

// The session cookie is Auth.js's business; these tests choose the caller directly.
const caller = vi.hoisted(() => ({ ctx: null as Ctx | null }));
vi.mock("@/lib/identity/request", () => ({ getRequestContext: async () => caller.ctx }));

let admin: Ctx, pacs: Ctx;
const ae = `CSV_${process.pid % 100000}`;
const uid = `1.2.826.0.1.3680043.10.${process.pid}.${Date.now() % 1_000_000}`;

beforeAll(async () => {
  const t = await makeTrust();
  admin = await makeUser([{ role: "consortium_admin", trustId: null }], { homeTrustId: null });
  pacs = await makeUser([{ role: "pacs_manager", trustId: t.id }]);
  await ownerQuery(sql`insert into pacs_studies (archive, archive_study_id, study_instance_uid, accession_number, patient_id, nhs_number, calling_ae_title, modality, instance_count, size_bytes, status, problem)
    values ('routes-test', ${`s-${uid}`}, ${uid}, 'ACC1', '9990000018', '9990000018', ${ae}, 'US', 1, 2048, 'unattributed', ${`No registered device has the AE title ${ae}.`})`);
});

beforeEach(() => {
  caller.ctx = null;
});

const csv = async (query: string) => (await import("@/app/(portal)/studies/unattributed/export.csv/route")).GET(new Request(`http://mosaic.test/x${query}`));

describe("the unattributed studies' CSV", () => {
  it("is not found for a trust's PACS manager, and needs a session", async () => {
    caller.ctx = pacs;
    const response = await csv(`?ae=${ae}`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("Not found.");
    caller.ctx = null;
    expect((await csv("")).status).toBe(401);
  });

  it("refuses a bad filter with a 4xx naming the field", async () => {
    caller.ctx = admin;
    const response = await csv("?modality=XX");
    expect(response.status).toBe(422);
    expect(await response.text()).toContain("modality");
  });

  it("gives a consortium administrator the filtered rows without patient identifiers, and audits the export", async () => {
    caller.ctx = admin;
    const response = await csv(`?ae=${ae}`);
    expect(response.status).toBe(200);
    const [header, row, ...rest] = (await response.text()).trim().split("\r\n");
    expect(header).toBe("study_instance_uid,accession_number,calling_ae_title,modality,study_date,instances,size_bytes,problem,first_seen_at,archive,archive_study_id");
    expect(row).toContain(`${uid},ACC1,${ae},US,,1,2048,`);
    expect(row).not.toContain("9990000018");
    expect(rest).toEqual([]);
    const events = await ownerQuery<{ details: { rows: number } }>(sql`select details from audit_events where action = 'pacs.unattributed_export' and actor_user_id = ${admin.userId}`);
    expect(events.map((e) => e.details.rows)).toEqual([1]);
  });
});
