// The consortium as the database holds it, read once before the history is generated: the four
// demo trusts and their patients, the clinical staff (from the users table, or synthetic people
// sized to the volume), a leaver, restricted patients and the sharing policies in force.
import "server-only";
import { sql } from "drizzle-orm";
import { nhsCheckDigit } from "@/lib/nhs-number";
import { rowsOf, type Database } from "@/db/client";
import { dayMs } from "./calendar";
import { hash2, hash3, hash4 } from "./hash";

export type ClinicalRole = "radiologist" | "reporting_radiographer" | "radiographer" | "clinician" | "mdt_coordinator";
const clinicalRoles: ClinicalRole[] = ["radiologist", "reporting_radiographer", "radiographer", "clinician", "mdt_coordinator"];
export type Purpose = "direct_care" | "mdt" | "emergency";

const demoShares: Record<string, number> = { RHM: 0.36, RHU: 0.32, RNZ: 0.17, R1F: 0.15 };

export type Trust = { index: number; id: string; ods: string; share: number; sites: string[]; patientStart: number; patientCount: number };
export type Staff = {
  email: string;
  userId: string | null;
  trust: number;
  role: ClinicalRole;
  key: number;
  from: number;
  until: number;
  slot: number;
  /** The last two parts of their workstation's IP address and its number, drawn once from `key`. */
  host: string;
  desk: string;
};
/** A person as the history sees them; their workstation is drawn from `key`. */
function person(email: string, userId: string | null, trust: number, role: ClinicalRole, key: number, from: number, until: number): Staff {
  const desk = String(1 + (hash2(key, 3) % 40)).padStart(2, "0");
  const host = `${1 + (hash2(key, 5) % 250)}.${1 + (hash2(key, 7) % 250)}`;
  return { email, userId, trust, role, key, from, until, slot: 0, host, desk };
}
export type Policy = { id: string; version: number };

// Exams a working day at scale 1: 1.75M a year, with weekends and bank holidays at a third.
export const examsPerWorkingDay = 1_750_000 / (250 + 115 / 3);
// The people each role sees in a working day, to size synthetic staff.
const dailyLoad: Record<ClinicalRole, number> = { radiologist: 30, reporting_radiographer: 30, radiographer: 25, clinician: 12, mdt_coordinator: 12 };
const sessionsPerExam: Record<ClinicalRole, number> = { radiologist: 0.72, reporting_radiographer: 0.3, radiographer: 0.5, clinician: 2.6, mdt_coordinator: 0.06 };
export const workingShare = 0.72;
export const weekendShare = 0.3;

/** Offsets from 9990000000 of the first `count` NHS numbers of the test range that pass modulus 11. */
function nhsNumbers(count: number): Int32Array {
  const offsets = new Int32Array(count);
  let i = 0;
  for (let base = 999_000_001; i < count; base++) {
    const check = nhsCheckDigit(String(base));
    if (check === null) continue; // never issued
    offsets[i++] = (base - 999_000_000) * 10 + check;
  }
  return offsets;
}
export const nhsOf = (offsets: Int32Array, patient: number) => String(9_990_000_000 + offsets[patient]!);

export type Context = {
  database: Database;
  seed: number;
  scale: number;
  trusts: Trust[];
  staff: Staff[];
  userStatus: Map<string, "active" | "suspended" | "left">;
  restricted: Set<string>;
  policyOf: (source: number, target: number, at: number) => Policy | null;
  leaver: Staff;
  patients: Int32Array;
};

export async function loadContext(database: Database, seed: number, scale: number, from: number): Promise<Context> {
  const db = database.db;
  const trustRows = rowsOf<{ id: string; ods_code: string }>(await db.execute(sql`select id, ods_code from trusts where ods_code in ('RHM', 'RHU', 'RNZ', 'R1F') order by ods_code`));
  if (trustRows.length !== 4) throw new Error("The access history needs the four demo trusts (RHM, RHU, RNZ, R1F): run the demo seed first.");
  const siteRows = rowsOf<{ trust_id: string; code: string }>(await db.execute(sql`select trust_id, code from sites order by code`));
  const patientCount = Math.max(400, Math.min(900_000, Math.round(650_000 * scale)));
  const order = ["RHM", "RHU", "RNZ", "R1F"];
  let start = 0;
  const trusts: Trust[] = order.map((ods, index) => {
    const row = trustRows.find((t) => t.ods_code === ods)!;
    const count = index === order.length - 1 ? patientCount - start : Math.round(patientCount * demoShares[ods]!);
    const t: Trust = { index, id: row.id, ods, share: demoShares[ods]!, sites: siteRows.filter((s) => s.trust_id === row.id).map((s) => s.code), patientStart: start, patientCount: count };
    if (t.sites.length === 0) t.sites = [`${ods}01`];
    start += count;
    return t;
  });
  const trustIndex = new Map(trusts.map((t) => [t.id, t.index]));

  // Clinical staff from the users table when the demo seed has them; synthetic people otherwise.
  const assignmentRows = rowsOf<{ id: string; email: string; status: "active" | "suspended" | "left"; role: ClinicalRole; trust_id: string; valid_from: string | Date; valid_until: string | Date | null; revoked_at: string | Date | null }>(
    await db.execute(sql`select u.id, u.email, u.status, ra.role, ra.trust_id, ra.valid_from, ra.valid_until, ra.revoked_at
      from role_assignments ra join users u on u.id = ra.user_id
      where ra.trust_id is not null and ra.role in ('radiologist', 'reporting_radiographer', 'radiographer', 'clinician', 'mdt_coordinator')
      order by u.email, ra.role, ra.trust_id`),
  );
  const statusRows = rowsOf<{ email: string; status: "active" | "suspended" | "left" }>(await db.execute(sql`select email, status from users`));
  const userStatus = new Map(statusRows.map((u) => [u.email, u.status]));
  const time = (v: string | Date | null) => (v === null ? Infinity : new Date(v).getTime());
  const staff: Staff[] = [];
  // Only people active today work in the history: a leaver's past work would be judged by today's status.
  for (const a of assignmentRows) {
    const trust = trustIndex.get(a.trust_id);
    if (trust === undefined || a.status !== "active") continue;
    staff.push(person(a.email, a.id, trust, a.role, hash3(seed, staff.length, 11), time(a.valid_from), Math.min(time(a.valid_until), time(a.revoked_at))));
  }
  for (const t of trusts) {
    for (const role of clinicalRoles) {
      const have = staff.filter((s) => s.trust === t.index && s.role === role).length;
      if (have >= 2) continue;
      const load = examsPerWorkingDay * scale * t.share * sessionsPerExam[role];
      const needed = Math.max(8, Math.ceil(load / (workingShare * dailyLoad[role])));
      for (let i = 1; i <= needed; i++) {
        const email = `${role.replace("_", ".")}.${String(i).padStart(3, "0")}@${t.ods.toLowerCase()}.example`;
        staff.push(person(email, null, t.index, role, hash4(seed, t.index, clinicalRoles.indexOf(role), i), -Infinity, Infinity));
      }
    }
  }

  // Rotas: each team's people are spread evenly over the rota, so that about the same number work
  // every day (a team that is suddenly a third of its size would make everyone's day look unusual).
  const teams = new Map<string, Staff[]>();
  for (const s of staff) {
    const key = `${s.trust}|${s.role}`;
    teams.set(key, [...(teams.get(key) ?? []), s]);
  }
  for (const team of teams.values()) team.forEach((s, i) => (s.slot = (i + 0.5) / team.length));

  // A leaver whose account is used after they left: from the users table, or one added for the demo.
  const leaverRows = rowsOf<{ id: string; email: string; trust_id: string }>(
    await db.execute(sql`select u.id, u.email, ra.trust_id from users u join role_assignments ra on ra.user_id = u.id
      where u.status = 'left' and ra.trust_id is not null and ra.role in ('radiographer', 'clinician', 'radiologist') order by u.email limit 1`),
  );
  let leaverRow = leaverRows[0];
  if (!leaverRow || !trustIndex.has(leaverRow.trust_id)) {
    const rnz = trusts[2]!;
    const email = `former.radiographer@${rnz.ods.toLowerCase()}.example`;
    await db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
      await tx.execute(sql`insert into users (email, name, home_trust_id, status) values (${email}, 'Jordan Leaver (left the trust)', ${rnz.id}, 'left') on conflict do nothing`);
      const [u] = rowsOf<{ id: string }>(await tx.execute(sql`select id from users where email = ${email}`));
      if (!u) throw new Error("could not create the demo leaver");
      const exists = rowsOf(await tx.execute(sql`select 1 from role_assignments where user_id = ${u.id}`));
      if (exists.length === 0) {
        await tx.execute(sql`insert into role_assignments (user_id, role, trust_id, valid_from, valid_until) values (${u.id}, 'radiographer', ${rnz.id}, ${new Date(from - 400 * dayMs).toISOString()}, ${new Date(from - dayMs).toISOString()})`);
      }
      leaverRow = { id: u.id, email, trust_id: rnz.id };
    });
    userStatus.set(email, "left");
  }
  const leaver = person(leaverRow!.email, leaverRow!.id, trustIndex.get(leaverRow!.trust_id)!, "radiographer", 0, -Infinity, Infinity);

  // Restricted patients (the sharing area's table, when it is there).
  const restricted = new Set<string>();
  const hasRestrictions = rowsOf<{ t: string | null }>(await db.execute(sql`select to_regclass('patient_restrictions')::text as t`))[0]?.t;
  if (hasRestrictions) {
    for (const r of rowsOf<{ trust_id: string; nhs_number: string }>(await db.execute(sql`select trust_id, nhs_number from patient_restrictions where lifted_at is null`))) {
      restricted.add(`${r.nhs_number}|${r.trust_id}`);
    }
  }

  // Sharing policies: the sharing area's versions when they are there (a pair of trusts is covered
  // while a version naming the target is in force); otherwise one standing policy per pair.
  type VersionRow = { trust_id: string; policy_id: string; version: number; target_trust_ids: string[] | string; from: string | Date; until: string | Date | null };
  let versions: VersionRow[] | null = null;
  const hasPolicies = rowsOf<{ t: string | null }>(await db.execute(sql`select to_regclass('sharing_policy_versions')::text as t`))[0]?.t;
  if (hasPolicies) {
    versions = rowsOf<VersionRow>(
      await db.execute(sql`select trust_id, policy_id, version, target_trust_ids, effective_from as from,
          least(effective_until, case status when 'superseded' then superseded_at when 'revoked' then revoked_at end) as until
        from sharing_policy_versions where status in ('active', 'superseded', 'revoked') order by effective_from`),
    );
  }
  const synthetic = (s: number, t: number): Policy => {
    const h = [hash4(seed, s, t, 1), hash4(seed, s, t, 2), hash4(seed, s, t, 3), hash4(seed, s, t, 4)].map((x) => x.toString(16).padStart(8, "0")).join("");
    return { id: `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`, version: 1 };
  };
  const standing = trusts.flatMap((s) => trusts.map((t) => synthetic(s.index, t.index)));
  const parsed = versions?.map((v) => ({
    source: trustIndex.get(v.trust_id),
    targets: new Set((Array.isArray(v.target_trust_ids) ? v.target_trust_ids : String(v.target_trust_ids).replace(/[{}]/g, "").split(",")).map((id) => trustIndex.get(id))),
    policy: { id: v.policy_id, version: Number(v.version) },
    from: time(v.from),
    until: time(v.until),
  }));
  const policyOf = (source: number, target: number, at: number): Policy | null => {
    if (!parsed) return standing[source * 4 + target]!;
    for (const v of parsed) if (v.source === source && v.targets.has(target) && v.from <= at && at < v.until) return v.policy;
    return null;
  };

  return { database, seed, scale, trusts, staff, userStatus, restricted, policyOf, leaver, patients: nhsNumbers(patientCount) };
}
