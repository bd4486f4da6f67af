// Every mutation, enumerated from the one registry (lib/mutation.ts), against its contract:
//   - a caller without its permission at the trust is refused (FORBIDDEN or NOT_FOUND; a field
//     error where the trust is a choice on the form) and nothing at all is written;
//   - a permitted call commits with at least one audit event, of the actions it declares, whose
//     details match the closed vocabulary (lib/audit/actions.ts);
//   - its audit event is written in the same transaction: when the audit insert fails, nothing the
//     run wrote persists.
// A mutation added without a case here fails the first test.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Ctx } from "@/lib/auth/context";
import { auditActions, type AuditAction } from "@/lib/audit/actions";
import { registeredMutations } from "@/lib/mutation";
import { createApiClient } from "@/lib/api-clients/commands";
import { requestQuotaChange } from "@/lib/capacity/commands";
import { approveVersion, createPolicy, restrictPatient, submitForApproval } from "@/lib/sharing/commands";
import { londonDayOf, londonToday } from "@/lib/calendar";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";

/** The modules of lib/ that define mutations, found by their source. */
const definingFiles = readdirSync(join(process.cwd(), "lib"), { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts"))
  .map((f) => join(process.cwd(), "lib", f))
  .filter((f) => /= defineMutation\(/.test(readFileSync(f, "utf8")));

type Refusal = "FORBIDDEN" | "NOT_FOUND" | "VALIDATION";
type Case = {
  allowed: Ctx;
  /** Callers without the permission where it counts, each with the refusal they get. */
  refused: [Ctx, Refusal][];
  params: Record<string, string>;
  input: unknown;
};

let t: TestTrust, u: TestTrust;
let admin: Ctx, pacs: Ctx, otherPacs: Ctx, ig: Ctx, ig2: Ctx, otherIg: Ctx, cio: Ctx, otherCio: Ctx;
let seq = 0;
const unique = () => (++seq).toString(36).toUpperCase().padStart(2, "0");

beforeAll(async () => {
  // Every module that defines mutations, so that the registry holds them all.
  for (const file of definingFiles) await import(file);
  [t, u] = [await makeTrust(), await makeTrust()];
  admin = await makeUser([{ role: "consortium_admin", trustId: null }], { homeTrustId: null });
  pacs = await makeUser([{ role: "pacs_manager", trustId: t.id }]);
  otherPacs = await makeUser([{ role: "pacs_manager", trustId: u.id }]);
  ig = await makeUser([{ role: "ig_officer", trustId: t.id }]);
  ig2 = await makeUser([{ role: "ig_officer", trustId: t.id }]);
  otherIg = await makeUser([{ role: "ig_officer", trustId: u.id }]);
  cio = await makeUser([{ role: "cio", trustId: t.id }]);
  otherCio = await makeUser([{ role: "cio", trustId: u.id }]);
});

const ok = <T,>(r: { ok: true; data: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data;
};

/** The London calendar day `days` from today, as a form sends it. */
const londonDayAfter = (days: number) => londonDayOf(new Date(Date.now() + days * 86_400_000));

/** A person of trust t for the users' mutations to change. */
const person = (opts: Parameters<typeof makeUser>[1] = {}) => makeUser([{ role: "radiographer", trustId: t.id }], { homeTrustId: t.id, ...opts });

/** A device in service at trust t's site, made as the owner, for the devices' mutations to change. */
const device = async () => {
  const [row] = await ownerQuery<{ id: string }>(
    sql`insert into dicom_devices (trust_id, site_id, ae_title, kind, modality) values (${t.id}, ${t.siteId}, ${`CT_${unique()}_${seq}`}, 'modality', 'CT') returning id`,
  );
  return row!.id;
};
/** A study the archive connector could not attribute (unknown AE title), made as the owner, for pacs.attribute. */
const waitingStudy = async () => {
  const studyId = `study-${unique()}-${seq}-${process.pid}`;
  const uid = `1.2.826.0.1.3680043.10.${process.pid}.${Date.now() % 1_000_000}.${++seq}`;
  await ownerQuery(sql`insert into pacs_studies (archive, archive_study_id, study_instance_uid, accession_number, calling_ae_title, modality, performed_at, instance_count, size_bytes, status, problem)
    values ('mutations-test', ${studyId}, ${uid}, ${`ACC${unique()}${seq}`}, 'UNKNOWN_AE', 'CT', '2025-03-04T09:15:00Z', 2, 4096, 'unattributed', 'No registered device has the AE title UNKNOWN_AE.')`);
  return studyId;
};
const deviceInput = () => ({ aeTitle: `MR_${unique()}_${seq}`, kind: "modality", modality: "MR", siteId: t.siteId, departmentId: t.departmentId, host: "10.1.2.3", description: "Test scanner" });

const site = () => ({ code: `S${unique()}`.padEnd(5, "0").slice(0, 5), name: "Testham Community Hospital", town: "Testham", postcode: "SO16 6YD" });
const draft = () => ({
  effectiveFrom: "2026-04-01",
  effectiveUntil: "",
  changeNote: "For direct care",
  rules: [
    {
      id: "00000000-0000-4000-8000-000000000001",
      effect: "permit",
      targetTrusts: [u.odsCode],
      requesterRoles: ["radiologist"],
      modalities: ["CT"],
      purposes: ["direct_care"],
      maxStudyAgeYears: "",
      requiresRelationship: "",
      breakGlassAllowed: "",
    },
  ],
});
const policy = async () => ok(await createPolicy(ig, { policy: { sourceTrust: t.odsCode, name: `Contract policy ${unique()}`, description: "" }, draft: draft() }));
const pending = async () => {
  const p = await policy();
  ok(await submitForApproval(ig, p.versionId));
  return p;
};
const active = async () => {
  const p = await pending();
  ok(await approveVersion(ig2, p.versionId));
  return p;
};
const apiClient = async () => ok(await createApiClient(admin, { name: `Feed ${unique()}`, owner: t.odsCode, scopes: ["audit:write"] }));
/** A new valid NHS number (modulus 11) on each call. */
function nhsNumber(): string {
  for (;;) {
    const nine = String(943_000_000 + ++seq);
    const sum = [...nine].reduce((s, d, i) => s + Number(d) * (10 - i), 0);
    const check = 11 - (sum % 11);
    if (check === 10) continue;
    return nine + (check === 11 ? 0 : check);
  }
}
const restriction = async () => ok(await restrictPatient(ig, { sourceTrust: t.odsCode, nhsNumber: nhsNumber(), reason: "objection", note: "" }));

/** An open alert at trust t, as the scan raises one. */
const alertCase = async (input: unknown): Promise<Case> => {
  const [alert] = await ownerQuery<{ id: string }>(sql`insert into audit_alerts (trust_id, rule, severity, summary, event_occurred_at, actor_email)
    values (${t.id}, 'unusual_volume', 'medium', 'Many views in an hour', now(), 'someone@test.example') returning id`);
  return { allowed: ig, refused: [[pacs, "NOT_FOUND"], [otherIg, "NOT_FOUND"]], params: { alertId: alert!.id }, input };
};

const usersRefused = (): [Ctx, Refusal][] => [
  [ig, "FORBIDDEN"], // sees the person (users.read), may not change them
  [otherPacs, "NOT_FOUND"],
  [cio, "NOT_FOUND"],
];
const userCase = async (opts: Parameters<typeof makeUser>[1] = {}, input: unknown = {}): Promise<Case> => {
  const target = await person(opts);
  return { allowed: pacs, refused: usersRefused(), params: { userId: target.userId }, input };
};

const cases: Record<string, () => Promise<Case>> = {
  "alerts.assign": () => alertCase({ assignee: ig2.userId }),
  "alerts.note": () => alertCase({ body: "Checked with the ward manager." }),
  "alerts.close": () => alertCase({ resolution: "legitimate", body: "An MDT review of this patient that week." }),
  "alerts.reopen": async () => {
    const c = await alertCase({ body: "The ward asked us to look again at this week." });
    await ownerQuery(sql`update audit_alerts set status = 'closed', resolution = 'legitimate', closed_at = now() where id = ${c.params.alertId}`);
    return c;
  },
  "alerts.close_many": async () => {
    const [a, b] = [await alertCase({}), await alertCase({})];
    return { ...a, params: {}, input: { ids: [a.params.alertId, b.params.alertId], resolution: "legitimate", body: "Both were one MDT review that week." } };
  },
  "trusts.create": async () => ({
    allowed: admin,
    refused: [[pacs, "FORBIDDEN"], [cio, "FORBIDDEN"]],
    params: {},
    input: { odsCode: `Q${unique()}`, name: "Contract Test Hospitals NHS Trust" },
  }),
  "trusts.update": async () => ({ allowed: admin, refused: [[pacs, "FORBIDDEN"], [otherCio, "NOT_FOUND"]], params: { ods: t.odsCode }, input: { name: `Test Hospitals ${unique()} NHS Trust`, status: "active" } }),
  "sites.create": async () => ({ allowed: pacs, refused: [[cio, "FORBIDDEN"], [otherPacs, "NOT_FOUND"]], params: { ods: t.odsCode }, input: site() }),
  "sites.update": async () => ({ allowed: pacs, refused: [[cio, "FORBIDDEN"], [otherPacs, "NOT_FOUND"]], params: { ods: t.odsCode, siteId: t.siteId }, input: site() }),
  "departments.create": async () => ({
    allowed: pacs,
    refused: [[cio, "FORBIDDEN"], [otherPacs, "NOT_FOUND"]],
    params: { ods: t.odsCode },
    input: { siteId: t.siteId, name: `Department ${unique()}`, modalities: ["CT"] },
  }),
  "departments.update": async () => ({
    allowed: pacs,
    refused: [[cio, "FORBIDDEN"], [otherPacs, "NOT_FOUND"]],
    params: { ods: t.odsCode, departmentId: t.departmentId },
    input: { siteId: t.siteId, name: `Radiology ${unique()}`, modalities: ["CT", "MR"] },
  }),
  "devices.create": async () => ({ allowed: pacs, refused: [[cio, "FORBIDDEN"], [ig, "FORBIDDEN"], [otherPacs, "NOT_FOUND"]], params: { ods: t.odsCode }, input: deviceInput() }),
  "devices.update": async () => ({
    allowed: pacs,
    refused: [[cio, "FORBIDDEN"], [otherPacs, "NOT_FOUND"]],
    params: { ods: t.odsCode, deviceId: await device() },
    input: deviceInput(),
  }),
  "devices.retire": async () => ({ allowed: pacs, refused: [[cio, "FORBIDDEN"], [otherPacs, "NOT_FOUND"]], params: { ods: t.odsCode, deviceId: await device() }, input: {} }),
  // Waiting studies have no trust: a trust's PACS manager or IG officer cannot see them at all.
  "pacs.attribute": async () => ({
    allowed: admin,
    refused: [[pacs, "NOT_FOUND"], [ig, "NOT_FOUND"]],
    params: {},
    input: { archive: "mutations-test", studyId: await waitingStudy(), siteId: t.siteId },
  }),
  "quota.request": async () => {
    const tier = seq++ % 2 ? "online" : "archive";
    // One pending request per trust and tier: each case asks at a trust of its own.
    const own = await makeTrust();
    const manager = await makeUser([{ role: "pacs_manager", trustId: own.id }]);
    const ownCio = await makeUser([{ role: "cio", trustId: own.id }]);
    return { allowed: manager, refused: [[ownCio, "FORBIDDEN"], [otherPacs, "NOT_FOUND"]], params: {}, input: { trust: own.odsCode, tier, requestedTerabytes: 5, reason: "CT volumes grew by a fifth this year." } };
  },
  "quota.decide": async () => {
    const own = await makeTrust();
    const manager = await makeUser([{ role: "pacs_manager", trustId: own.id }]);
    const ownCio = await makeUser([{ role: "cio", trustId: own.id }]);
    const request = ok(await requestQuotaChange(manager, { trust: own.odsCode, tier: "online", requestedTerabytes: 5, reason: "CT volumes grew by a fifth this year." }));
    return { allowed: ownCio, refused: [[manager, "FORBIDDEN"], [otherCio, "NOT_FOUND"]], params: {}, input: { requestId: request.id, decision: "approve", note: "" } };
  },
  "api_clients.create": async () => ({
    allowed: admin,
    refused: [[pacs, "VALIDATION"], [ig, "VALIDATION"]], // the owner is a choice on the form
    params: {},
    input: { name: `Feed ${unique()}`, owner: t.odsCode, scopes: ["audit:write"] },
  }),
  "api_keys.rotate": async () => ({ allowed: admin, refused: [[pacs, "NOT_FOUND"], [ig, "NOT_FOUND"]], params: { clientId: (await apiClient()).clientId }, input: { graceHours: "24" } }),
  "api_keys.revoke": async () => {
    const { clientId } = await apiClient();
    const [key] = await ownerQuery<{ id: string }>(sql`select id from api_keys where client_id = ${clientId}`);
    return { allowed: admin, refused: [[pacs, "NOT_FOUND"], [ig, "NOT_FOUND"]], params: { clientId, keyId: key!.id }, input: { reason: "The key was pasted in a ticket." } };
  },
  "api_clients.revoke": async () => ({ allowed: admin, refused: [[pacs, "NOT_FOUND"], [ig, "NOT_FOUND"]], params: { clientId: (await apiClient()).clientId }, input: { reason: "Replaced by a new feed." } }),
  "sharing.policy.create": async () => ({
    allowed: ig,
    refused: [[pacs, "VALIDATION"], [otherIg, "VALIDATION"]], // the source trust is a choice on the form
    params: {},
    input: { policy: { sourceTrust: t.odsCode, name: `Contract policy ${unique()}`, description: "" }, draft: draft() },
  }),
  "sharing.version.edit": async () => ({ allowed: ig, refused: [[pacs, "NOT_FOUND"], [otherIg, "NOT_FOUND"]], params: { versionId: (await policy()).versionId }, input: draft() }),
  "sharing.version.create": async () => ({ allowed: ig, refused: [[pacs, "NOT_FOUND"], [otherIg, "NOT_FOUND"]], params: { policyId: (await active()).policyId }, input: {} }),
  "sharing.version.submit": async () => ({ allowed: ig, refused: [[pacs, "NOT_FOUND"], [otherIg, "NOT_FOUND"]], params: { versionId: (await policy()).versionId }, input: {} }),
  "sharing.version.approve": async () => ({ allowed: ig2, refused: [[pacs, "NOT_FOUND"], [otherIg, "NOT_FOUND"]], params: { versionId: (await pending()).versionId }, input: {} }),
  "sharing.version.return": async () => ({ allowed: ig2, refused: [[pacs, "NOT_FOUND"], [otherIg, "NOT_FOUND"]], params: { versionId: (await pending()).versionId }, input: { reason: "The window is too wide." } }),
  "sharing.version.revoke": async () => ({ allowed: ig2, refused: [[pacs, "NOT_FOUND"], [otherIg, "NOT_FOUND"]], params: { versionId: (await active()).versionId }, input: { reason: "The contract has ended." } }),
  "sharing.restriction.create": async () => ({
    allowed: ig,
    refused: [[pacs, "VALIDATION"], [otherIg, "VALIDATION"]],
    params: {},
    input: { sourceTrust: t.odsCode, nhsNumber: nhsNumber(), reason: "vip", note: "" },
  }),
  "sharing.restriction.lift": async () => ({ allowed: ig, refused: [[pacs, "NOT_FOUND"], [otherIg, "NOT_FOUND"]], params: { restrictionId: (await restriction()).id }, input: { reason: "The patient withdrew the objection." } }),
  "users.create": async () => ({
    allowed: pacs,
    refused: [[ig, "VALIDATION"], [otherPacs, "VALIDATION"]], // the home trust is a choice on the form
    params: {},
    input: { name: "Contract Person", email: `contract${unique().toLowerCase()}@test.example`, homeTrustId: t.id, role: "radiographer", validFrom: londonToday() },
  }),
  "users.update": async () => {
    const c = await userCase();
    return { ...c, input: { name: "Renamed Person", email: `renamed${unique().toLowerCase()}@test.example`, homeTrustId: t.id } };
  },
  "users.suspend": () => userCase({}, { reason: "Under investigation (ref HR-12)" }),
  "users.leaving_date": () => userCase({}, { lastDay: londonDayAfter(30) }),
  "users.reactivate": () => userCase({ status: "suspended" }),
  "users.leaver": () => userCase(),
  "users.unlock": async () => {
    const c = await userCase();
    await ownerQuery(sql`update users set locked_until = now() + interval '1 hour' where id = ${c.params.userId}`);
    return c;
  },
  "users.password_link": () => userCase(),
  "users.mfa_reset": async () => {
    const c = await userCase();
    await ownerQuery(sql`update users set totp_secret = 'x', totp_confirmed_at = now() where id = ${c.params.userId}`);
    return c;
  },
  "roles.grant": async () => {
    const target = await person();
    return {
      allowed: pacs,
      refused: [[ig, "FORBIDDEN"], [otherPacs, "NOT_FOUND"]],
      params: {},
      input: { userId: target.userId, role: "clinician", trustId: t.id, validFrom: londonToday() },
    };
  },
  "roles.extend": async () => {
    const target = await person();
    const [assignment] = await ownerQuery<{ id: string }>(sql`update role_assignments set valid_until = now() + interval '10 days' where user_id = ${target.userId} returning id`);
    return { allowed: pacs, refused: [[ig, "NOT_FOUND"], [otherPacs, "NOT_FOUND"]], params: {}, input: { assignmentId: assignment!.id, validUntil: londonDayAfter(60) } };
  },
  "roles.revoke": async () => {
    const target = await person();
    const [assignment] = await ownerQuery<{ id: string }>(sql`select id from role_assignments where user_id = ${target.userId}`);
    return { allowed: pacs, refused: [[ig, "NOT_FOUND"], [otherPacs, "NOT_FOUND"]], params: {}, input: { assignmentId: assignment!.id } };
  },
};

/** A digest of every row of every table: "nothing written" means this does not change. */
async function fingerprint(): Promise<string> {
  const tables = await ownerQuery<{ name: string }>(sql`select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname = 'public' order by 1`);
  const parts = await ownerQuery<{ digest: string }>(
    sql.raw(tables.map((t) => `select '${t.name}' || ':' || coalesce(md5(string_agg(md5(x::text), ',' order by md5(x::text))), '') as digest from ${t.name} x`).join(" union all ")),
  );
  return parts.map((p) => p.digest).sort().join("|");
}

const auditRows = () => ownerQuery<{ id: string; action: string; actor_user_id: string | null; details: unknown }>(sql`select id, action, actor_user_id, details from audit_events`);

const failAuditInserts = async (on: boolean) => {
  if (on) {
    await ownerQuery(sql`create or replace function contract_fail_audit() returns trigger language plpgsql as $$ begin raise exception 'audit insert refused by the test'; end $$`);
    await ownerQuery(sql`create trigger contract_fail_audit before insert on audit_events for each row execute function contract_fail_audit()`);
  } else {
    await ownerQuery(sql`drop trigger if exists contract_fail_audit on audit_events`);
  }
};
afterEach(() => failAuditInserts(false));

const names = () => [...registeredMutations().keys()].sort();

describe("the mutation registry", () => {
  it("holds every mutation, each once, and each has a case here", () => {
    expect(definingFiles.length).toBeGreaterThanOrEqual(6);
    // Definitions in the source, counted: a name used twice would replace one in the registry.
    const defined = definingFiles.reduce((n, f) => n + (readFileSync(f, "utf8").match(/= defineMutation\(/g)?.length ?? 0), 0);
    expect(names().length).toBe(defined);
    expect(names()).toEqual(Object.keys(cases).sort());
  });

  it("declares audit actions of the vocabulary and a permission for each", () => {
    for (const m of registeredMutations().values()) {
      expect(m.auditActions.length, m.mutationName).toBeGreaterThan(0);
      for (const a of m.auditActions) expect(Object.hasOwn(auditActions, a), `${m.mutationName}: ${a}`).toBe(true);
      expect(m.permission).toBeTruthy();
    }
  });
});

describe.each(Object.keys(cases).sort())("mutation %s", (name) => {
  const mutation = () => {
    const m = registeredMutations().get(name);
    if (!m) throw new Error(`${name} is not registered`);
    return m;
  };

  it("refuses callers without its permission there, writing nothing", async () => {
    const c = await cases[name]!();
    for (const [caller, code] of c.refused) {
      const before = await fingerprint();
      const result = await mutation()(caller, c.params, c.input);
      expect(result, `${caller.email} (${caller.roles.map((r) => r.role).join()})`).toMatchObject({ ok: false, error: { code } });
      expect(await fingerprint()).toBe(before);
    }
  });

  it("commits a permitted call with its declared audit events, details of their schema", async () => {
    const c = await cases[name]!();
    const seen = new Set((await auditRows()).map((r) => r.id));
    const result = await mutation()(c.allowed, c.params, c.input);
    expect(result).toMatchObject({ ok: true });
    const events = (await auditRows()).filter((r) => !seen.has(r.id));
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(mutation().auditActions).toContain(e.action);
      expect(e.actor_user_id).toBe(c.allowed.userId);
      const parsed = auditActions[e.action as AuditAction].safeParse(e.details);
      expect(parsed.error, `${e.action} ${JSON.stringify(e.details)}`).toBeUndefined();
    }
  });

  it("writes its audit event in the change's transaction: when the audit insert fails, nothing persists", async () => {
    const c = await cases[name]!();
    const before = await fingerprint();
    await failAuditInserts(true);
    const result = await mutation()(c.allowed, c.params, c.input);
    await failAuditInserts(false);
    expect(result).toMatchObject({ ok: false, error: { code: "INTERNAL" } });
    expect(await fingerprint()).toBe(before);
  });
});
