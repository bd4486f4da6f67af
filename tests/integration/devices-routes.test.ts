// The CSV downloads of the devices list and the study look-up answer through the portal's one door:
// another trust's devices and a caller without the look-up get the page's 404, bad input a 4xx.
import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";

// The session cookie is Auth.js's business; these tests choose the caller directly.
const caller = vi.hoisted(() => ({ ctx: null as Ctx | null }));
vi.mock("@/lib/identity/request", () => ({ getRequestContext: async () => caller.ctx }));

let a: TestTrust, b: TestTrust;
let pacsA: Ctx, cioA: Ctx;

beforeAll(async () => {
  [a, b] = [await makeTrust(), await makeTrust()];
  pacsA = await makeUser([{ role: "pacs_manager", trustId: a.id }]);
  cioA = await makeUser([{ role: "cio", trustId: a.id }]);
  for (const t of [a, b]) {
    await ownerQuery(sql`insert into dicom_devices (trust_id, site_id, ae_title, kind, modality, description) values (${t.id}, ${t.siteId}, ${`${t.odsCode}_CT1`}, 'modality', 'CT', 'Scanner, "room 1"')`);
  }
});

beforeEach(() => {
  caller.ctx = null;
});

const devicesCsv = async (ods: string, query = "") =>
  (await import("@/app/(portal)/trusts/[ods]/devices/export.csv/route")).GET(new Request(`http://mosaic.test/x${query}`), { params: Promise.resolve({ ods }) });
const studiesCsv = async (query: string) => (await import("@/app/(portal)/studies/export.csv/route")).GET(new Request(`http://mosaic.test/x${query}`));

describe("the devices CSV", () => {
  it("gives a trust's devices, filtered, to whoever reads its sites", async () => {
    caller.ctx = pacsA;
    const response = await devicesCsv(a.odsCode, "?kind=modality");
    expect(response.status).toBe(200);
    const [header, row, ...rest] = (await response.text()).trim().split("\r\n");
    expect(header).toBe("ae_title,kind,modality,site_code,site,department,host,description,status,retired_at");
    expect(row).toContain(`${a.odsCode}_CT1,modality,CT,${a.odsCode}1`);
    expect(rest).toEqual([]);
  });

  it("answers another trust's devices, and a caller without a session, as the page does", async () => {
    caller.ctx = pacsA;
    const other = await devicesCsv(b.odsCode);
    expect(other.status).toBe(404);
    expect(await other.text()).toBe("Not found.");
    caller.ctx = null;
    expect((await devicesCsv(a.odsCode)).status).toBe(401);
  });
});

describe("the study look-up's CSV", () => {
  it("is not found for a caller without the look-up, and refuses a bad query with a 4xx", async () => {
    caller.ctx = cioA;
    expect((await studiesCsv("?by=study&q=1.2.3")).status).toBe(404);
    caller.ctx = pacsA;
    const bad = await studiesCsv("?by=study&q=1.2.abc");
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
  });

  it("gives the header and no rows for a study not found", async () => {
    caller.ctx = pacsA;
    const response = await studiesCsv("?by=accession&q=NOPE");
    expect(response.status).toBe(200);
    expect((await response.text()).trim()).toBe("study_instance_uid,accession_number,trust,occurred_at,action,outcome,actor_email,actor_role,actor_trust,purpose,break_glass_justification");
  });
});
