// DICOM devices: AE titles unique across the consortium without telling whose, stored trimmed;
// retired titles free again; the connector's look-up by AE title; exams that carry an AE title;
// row-level security forced on the table.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";
import type { Ctx } from "@/lib/auth/context";
import { ingestExams } from "@/lib/capacity/ingest";
import { aeTitleTaken, createDevice, retireDevice, updateDevice } from "@/lib/devices/commands";
import { findDeviceByAeTitle, listDevices } from "@/lib/devices/queries";
import { withSystem, withTenant } from "@/lib/db/scope";
import { AppError } from "@/lib/errors";

let a: TestTrust, b: TestTrust;
let pacsA: Ctx, pacsB: Ctx, admin: Ctx;
let n = 0;
const title = (prefix = "DEV") => `${prefix}_${(++n).toString(36).toUpperCase()}${process.pid % 1000}`;

beforeAll(async () => {
  [a, b] = [await makeTrust(), await makeTrust()];
  pacsA = await makeUser([{ role: "pacs_manager", trustId: a.id }]);
  pacsB = await makeUser([{ role: "pacs_manager", trustId: b.id }]);
  admin = await makeUser([{ role: "consortium_admin", trustId: null }], { homeTrustId: null });
});

const scanner = (trust: TestTrust, aeTitle: string, over: Record<string, unknown> = {}) => ({
  aeTitle,
  kind: "modality",
  modality: "CT",
  siteId: trust.siteId,
  departmentId: trust.departmentId,
  host: "",
  description: "",
  ...over,
});

const ok = <T,>(r: { ok: true; data: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data;
};

describe("AE titles", () => {
  it("are unique across the consortium, and the refusal does not say which trust holds one", async () => {
    const taken = title();
    ok(await createDevice(pacsA, a.odsCode, scanner(a, taken)));
    const fromOtherTrust = await createDevice(pacsB, b.odsCode, scanner(b, taken));
    const fromSameTrust = await createDevice(pacsA, a.odsCode, scanner(a, taken));
    expect(fromOtherTrust).toEqual({ ok: false, error: { code: "CONFLICT", message: aeTitleTaken, fieldErrors: { aeTitle: [aeTitleTaken] } } });
    // The same words whether the holder is the caller's own trust or one they cannot see.
    expect(fromSameTrust).toEqual(fromOtherTrust);
    expect(JSON.stringify(fromOtherTrust)).not.toContain(a.odsCode);
    expect(aeTitleTaken).toBe("This AE title is already registered in the consortium.");
  });

  it("are refused when an edit takes another trust's title", async () => {
    const taken = title();
    ok(await createDevice(pacsA, a.odsCode, scanner(a, taken)));
    const own = ok(await createDevice(pacsB, b.odsCode, scanner(b, title())));
    expect(await updateDevice(pacsB, b.odsCode, own.id, scanner(b, taken))).toMatchObject({ ok: false, error: { code: "CONFLICT", fieldErrors: { aeTitle: [aeTitleTaken] } } });
  });

  it("are stored without their leading and trailing spaces, which make no other title", async () => {
    const t = title();
    const made = ok(await createDevice(pacsA, a.odsCode, scanner(a, `  ${t} `)));
    const [row] = await ownerQuery<{ ae_title: string }>(sql`select ae_title from dicom_devices where id = ${made.id}`);
    expect(row?.ae_title).toBe(t);
    expect(await createDevice(pacsB, b.odsCode, scanner(b, ` ${t}`))).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
  });

  it("of a retired device can be given to another device, in any trust", async () => {
    const t = title();
    const old = ok(await createDevice(pacsA, a.odsCode, scanner(a, t)));
    ok(await retireDevice(pacsA, a.odsCode, old.id));
    expect(await retireDevice(pacsA, a.odsCode, old.id)).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
    expect(await updateDevice(pacsA, a.odsCode, old.id, scanner(a, title()))).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
    ok(await createDevice(pacsB, b.odsCode, scanner(b, t)));
    const listed = (await listDevices(pacsA, a.odsCode)).devices.find((d) => d.id === old.id);
    expect(listed).toMatchObject({ status: "retired", aeTitle: t });
  });

  it("are checked by the database too: no backslash, no control character, no padding", async () => {
    for (const bad of ["A\\B", "A\tB", " PADDED", "SEVENTEEN_CHARS_X", "É"]) {
      const error = await ownerQuery(sql`insert into dicom_devices (trust_id, site_id, ae_title, kind) values (${a.id}, ${a.siteId}, ${bad}, 'other')`).then(
        () => null,
        (e: unknown) => String((e as { cause?: unknown }).cause ?? e),
      );
      expect(error, bad).toMatch(/dicom_devices_ae_title_check/);
    }
  });
});

describe("a device's form", () => {
  it("names the field of each problem", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ aeTitle: "" }, "aeTitle"],
      [{ aeTitle: "A\\B" }, "aeTitle"],
      [{ aeTitle: "X".repeat(17) }, "aeTitle"],
      [{ kind: "scanner" }, "kind"],
      [{ modality: "" }, "modality"],
      [{ modality: "XX" }, "modality"],
      [{ siteId: "not-a-uuid" }, "siteId"],
      [{ departmentId: "nope" }, "departmentId"],
      [{ host: "bad host name" }, "host"],
      [{ description: "d".repeat(501) }, "description"],
    ];
    for (const [over, field] of cases) {
      const result = await createDevice(pacsA, a.odsCode, scanner(a, title(), over));
      expect(result, JSON.stringify(over)).toMatchObject({ ok: false, error: { code: "VALIDATION", fieldErrors: { [field]: [expect.any(String)] } } });
    }
  });

  it("refuses a department of another site of the trust", async () => {
    const [otherSite] = await ownerQuery<{ id: string }>(sql`insert into sites (trust_id, code, name, town, postcode) values (${a.id}, ${`${a.odsCode}9`}, 'Second', 'Town', 'SO16 6YD') returning id`);
    const result = await createDevice(pacsA, a.odsCode, scanner(a, title(), { siteId: otherSite!.id }));
    expect(result).toMatchObject({ ok: false, error: { code: "VALIDATION", fieldErrors: { departmentId: [expect.any(String)] } } });
  });

  it("lets a consortium administrator register a device at any trust", async () => {
    ok(await createDevice(admin, b.odsCode, scanner(b, title(), { kind: "workstation", modality: "", departmentId: "", host: "WS1.Example.NHS.uk" })));
    const ws = (await listDevices(admin, b.odsCode)).devices.find((d) => d.kind === "workstation");
    expect(ws).toMatchObject({ modality: null, departmentId: null, host: "ws1.example.nhs.uk" });
  });
});

describe("findDeviceByAeTitle (the archive connector's attribution)", () => {
  it("finds the device in service in any trust, padded or not, and nothing for a retired or unknown one", async () => {
    const t = title("CT");
    const made = ok(await createDevice(pacsB, b.odsCode, scanner(b, t, { modality: "MR" })));
    const found = await withSystem((tx) => findDeviceByAeTitle(tx, `${t}  `));
    expect(found).toEqual({ deviceId: made.id, aeTitle: t, trustId: b.id, odsCode: b.odsCode, siteId: b.siteId, siteCode: `${b.odsCode}1`, departmentId: b.departmentId, modality: "MR" });
    expect(await withSystem((tx) => findDeviceByAeTitle(tx, "NO_SUCH_AE"))).toBeNull();
    ok(await retireDevice(pacsB, b.odsCode, made.id));
    expect(await withSystem((tx) => findDeviceByAeTitle(tx, t))).toBeNull();
  });

  it("sees only the caller's trusts when run in a person's scope (row-level security)", async () => {
    const t = title("MR");
    ok(await createDevice(pacsB, b.odsCode, scanner(b, t)));
    expect(await withTenant(pacsA, (tx) => findDeviceByAeTitle(tx, t))).toBeNull();
    expect(await withTenant(pacsB, (tx) => findDeviceByAeTitle(tx, t))).toMatchObject({ trustId: b.id });
  });
});

describe("exams with an AE title", () => {
  const exam = (over: Record<string, unknown>) => ({
    studyInstanceUid: `1.2.826.0.1.3680043.9.${process.pid}.${++n}`,
    accessionNumber: `ACC${n}`,
    trust: a.odsCode,
    site: `${a.odsCode}1`,
    modality: "CT",
    performedAt: "2025-03-04T09:15:00Z",
    imageCount: 10,
    sizeBytes: 1_000_000,
    ...over,
  });

  it("store the calling AE title trimmed, and without one store null", async () => {
    const withTitle = exam({ aeTitle: " RHM_CT1 " });
    const without = exam({});
    expect(await ingestExams({ all: true }, { exams: [withTitle, without] })).toEqual({ accepted: 2, duplicates: 0 });
    const rows = await ownerQuery<{ study_instance_uid: string; ae_title: string | null }>(
      sql`select study_instance_uid, ae_title from exams where study_instance_uid in (${withTitle.studyInstanceUid}, ${without.studyInstanceUid})`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.study_instance_uid, r.ae_title]))).toEqual({ [withTitle.studyInstanceUid]: "RHM_CT1", [without.studyInstanceUid]: null });
  });

  it("refuse an AE title outside the repertoire, naming the item and field", async () => {
    const error = await ingestExams({ all: true }, { exams: [exam({}), exam({ aeTitle: "BAD\\AE" })] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).details?.fieldErrors).toHaveProperty(["exams.1.aeTitle"]);
  });
});

describe("the table", () => {
  it("forces row-level security", async () => {
    const [row] = await ownerQuery<{ relrowsecurity: boolean; relforcerowsecurity: boolean }>(sql`select relrowsecurity, relforcerowsecurity from pg_class where relname = 'dicom_devices'`);
    expect(row).toEqual({ relrowsecurity: true, relforcerowsecurity: true });
  });
});
