// A realistic history of image-access events for the demo consortium (DATA.md, "Access events"),
// written straight into audit_events in batches, chained exactly as ingest chains them, with the
// alerts that ingest would have raised. Memory stays flat: a day is generated at a time, and the
// only state carried between days is the clinic and MDT views still to come of recent exams.
//
// The model, per trust and day: exams in the published mix (fewer at weekends and bank holidays,
// emergency CT and X-ray through the night); each is reported (query, retrieve, view), often
// checked by a radiographer, and opened a few times in clinic or on the ward over the next two
// weeks; some are prepared for and shown at an MDT (some at the regional MDT in Southampton); 10%
// of patients are also seen at a second trust, whose clinicians view their images under a sharing
// policy. Night-time work is emergency work. Planted in the stream for the alert rules to find: a
// handful of break-glass accesses a week, a clinician browsing at night, a leaver's account used, a
// cross-trust view with no policy, and a clinician opening far more patients than usual in a day.
import "server-only";
import { sql } from "drizzle-orm";
import type { RuleFacts } from "@/lib/audit/alert-rules";
import { appendAuditEvents, lockChainHeads, saveChainHeads, type ChainedRow } from "@/lib/audit/append";
import { alertRowsFor, insertAlerts, type AlertRow } from "@/lib/audit/raise-alerts";
import { scanUnusualVolume, volumeHistoryDays } from "@/lib/audit/volume-scan";
import { addDays, isBankHoliday, londonOffsetMinutes } from "@/lib/calendar";
import { nhsCheckDigit } from "@/lib/nhs-number";
import { rowsOf, type Database } from "@/db/client";
import { isDemoDatabase } from "./seed-demo";
import { seededRandom } from "./random";

type AccessHistoryProgress = { day: string; daysDone: number; days: number; events: number };

export type AccessHistoryOptions = {
  from: Date;
  to: Date;
  /** 1 = the consortium's contracted volume (1.75M exams, about 20M access events a year). */
  scale: number;
  /** Seeds the generator: the same seed, window and staff give the same history. */
  seed?: number;
  /** Events per INSERT statement and transaction. */
  batchSize?: number;
  /** Run the unusual-volume scan over the generated days (those with 28 days of history before them). */
  scanVolume?: boolean;
  onProgress?: (progress: AccessHistoryProgress) => void;
  /** Called once every event of a UTC month ("YYYY-MM", a partition of audit_events) is committed; the last months as the load ends. */
  onMonthWritten?: (month: string) => void;
};

export type AccessHistoryResult = {
  days: number;
  events: number;
  exams: number;
  crossTrust: number;
  breakGlass: number;
  alerts: Record<string, number>;
};

type ClinicalRole = "radiologist" | "reporting_radiographer" | "radiographer" | "clinician" | "mdt_coordinator";
const clinicalRoles: ClinicalRole[] = ["radiologist", "reporting_radiographer", "radiographer", "clinician", "mdt_coordinator"];
type Purpose = "direct_care" | "mdt" | "emergency";

// ---------------------------------------------------------------------------------------------
// Deterministic randomness: a hash of (seed, day, trust, index) seeds a small generator per exam,
// so an exam's whole life can be drawn on the day it is performed.

function mix(h: number, v: number): number {
  h = Math.imul(h ^ (v >>> 0), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  h ^= h >>> 13;
  return h >>> 0;
}
// Fixed arities rather than a rest parameter: these run for every exam and session.
function hash2(a: number, b: number): number {
  return finish(mix(mix(0x2545f491, a), b));
}
function hash3(a: number, b: number, c: number): number {
  return finish(mix(mix(mix(0x2545f491, a), b), c));
}
function hash4(a: number, b: number, c: number, d: number): number {
  return finish(mix(mix(mix(mix(0x2545f491, a), b), c), d));
}
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
function weighted<T>(r: number, table: readonly (readonly [T, number])[]): T {
  // An index loop: destructuring in for…of goes through an iterator, allocated per step until optimised.
  for (let i = 0; i < table.length; i++) {
    const entry = table[i]!;
    if (r < entry[1]) return entry[0];
    r -= entry[1];
  }
  return table[table.length - 1]![0];
}

/** About how many access events a day of history holds at scale 1 (20 million a year), for planning a load. */
export const eventsPerDayAtScale1 = 55_000;

// ---------------------------------------------------------------------------------------------
// The calendar: days in England, British Summer Time, bank holidays (England and Wales).

const dayMs = 86_400_000;
const minuteMs = 60_000;

/** Minutes England is ahead of UTC on this day (at noon). */
const londonOffset = (date: Date) => londonOffsetMinutes(new Date(date.getTime() + dayMs / 2));
/** A calendar day in England: `number` counts days from 1970-01-01, `start` is its local midnight. */
type Day = { iso: string; compact: string; number: number; start: number; offset: number; working: boolean };

// Days are asked for millions of times (every view and meeting picks one), always among the few
// hundred around the window: each is worked out once.
const days = new Map<number, Day>();
/** The day with this number (days since 1970-01-01). */
function dayAt(number: number): Day {
  let day = days.get(number);
  if (day) return day;
  const date = new Date(number * dayMs);
  const iso = date.toISOString().slice(0, 10);
  const offset = londonOffset(date);
  const weekday = date.getUTCDay();
  const working = weekday !== 0 && weekday !== 6 && !isBankHoliday(iso);
  day = { iso, compact: iso.replaceAll("-", ""), number, start: date.getTime() - offset * minuteMs, offset, working };
  days.set(number, day);
  return day;
}
/** The day in England that an instant falls in (the offset of its UTC date, as londonOffset reckons it). */
function dayNumberOf(at: number): number {
  return Math.floor((at + dayAt(Math.floor(at / dayMs)).offset * minuteMs) / dayMs);
}
/** The instant of a local time (minutes after midnight in England) on a day. */
const localTime = (day: Day, minute: number) => day.start + Math.round(minute * minuteMs);

// ---------------------------------------------------------------------------------------------
// The consortium as the database holds it.

const demoShares: Record<string, number> = { RHM: 0.36, RHU: 0.32, RNZ: 0.17, R1F: 0.15 };
const ipPrefix: Record<string, string> = { RHM: "10.10", RHU: "10.20", RNZ: "10.30", R1F: "10.40" };

type Trust = { index: number; id: string; ods: string; share: number; sites: string[]; patientStart: number; patientCount: number };
type Staff = {
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
type Policy = { id: string; version: number };

type Exam = { trust: number; site: number; uid: string; accession: string; modality: string; nhs: string; patient: number; performedAt: number };

type SessionKind = "report" | "qa" | "clinic" | "cross" | "mdt_prep" | "mdt" | "break_glass" | "planted";
type Session = {
  at: number;
  kind: SessionKind;
  exam: Exam;
  /** Trust of the person who opens the images. */
  trust: number;
  role: ClinicalRole;
  purpose: Purpose;
  /** Bits of extra actions: 1 another query, 2 download, 4 export, 8 print. */
  extras: number;
  /** Picks the person among those working that day (when no actor is set). */
  pick: number;
  actor: Staff | null;
  justification: string | null;
};
/** A session, always built here so that every session has one shape (millions are made). */
function session(at: number, kind: SessionKind, exam: Exam, trust: number, role: ClinicalRole, purpose: Purpose, extras: number, pick: number, actor: Staff | null = null, justification: string | null = null): Session {
  return { at, kind, exam, trust, role, purpose, extras, pick, actor, justification };
}

const modalityMix = [
  ["CR", 0.2],
  ["DX", 0.35],
  ["US", 0.2],
  ["CT", 0.13],
  ["MR", 0.08],
  ["MG", 0.02],
  ["NM", 0.005],
  ["PT", 0.005],
  ["XA", 0.005],
  ["RF", 0.005],
] as const;

// Exams a working day at scale 1: 1.75M a year, with weekends and bank holidays at a third.
const examsPerWorkingDay = 1_750_000 / (250 + 115 / 3);
// The people each role sees in a working day, to size synthetic staff.
const dailyLoad: Record<ClinicalRole, number> = { radiologist: 30, reporting_radiographer: 30, radiographer: 25, clinician: 12, mdt_coordinator: 12 };
const sessionsPerExam: Record<ClinicalRole, number> = { radiologist: 0.72, reporting_radiographer: 0.3, radiographer: 0.5, clinician: 2.6, mdt_coordinator: 0.06 };
const workingShare = 0.72;
const weekendShare = 0.3;

const justifications = [
  "Unconscious patient transferred from another trust; urgent review of previous CT head before intervention.",
  "Major trauma call: previous imaging needed to compare with today's CT, patient unable to consent.",
  "Suspected aortic dissection out of hours; prior CT angiogram held at the referring trust.",
  "Stroke thrombolysis decision: prior MR brain from the patient's home trust needed now.",
  "Emergency surgery overnight; previous imaging from the other trust needed to plan the approach.",
];

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
const nhsOf = (offsets: Int32Array, patient: number) => String(9_990_000_000 + offsets[patient]!);

// ---------------------------------------------------------------------------------------------

type Context = {
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

async function loadContext(database: Database, seed: number, scale: number, from: number): Promise<Context> {
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

// ---------------------------------------------------------------------------------------------
// Exams and the views they will get.

function examsOn(ctx: Context, day: Day, trust: Trust): number {
  const level = examsPerWorkingDay * ctx.scale * trust.share * (day.working ? 1 : 1 / 3);
  // Spread a little from day to day, without losing the mean.
  const r = seededRandom(hash4(ctx.seed, day.number, trust.index, 7))();
  return Math.max(0, Math.round(level * (0.9 + 0.2 * r)));
}

function secondTrustOf(ctx: Context, patient: number, home: number): number | null {
  const h = hash3(ctx.seed, patient, 77);
  if (h % 100 >= 10) return null;
  return (home + 1 + (h >>> 8) % 3) % 4;
}

/** A later day for a view: working days are three times likelier than weekends and holidays. */
function viewDay(r: () => number, from: Day, maxOffset: number): Day {
  for (let attempt = 0; ; attempt++) {
    const d = dayAt(from.number + Math.floor(r() * (maxOffset + 1)));
    if (d.working || attempt >= 2 || r() < 1 / 3) return d;
  }
}
/** An instant between two local times of a day, drawn from r. */
const between = (r: () => number, d: Day, fromMinute: number, toMinute: number) => localTime(d, fromMinute + r() * Math.max(0, toMinute - fromMinute));

/** An exam; with `schedule`, also the sessions in which it will be opened (drawn in a fixed order from the exam's own generator). */
function planExam(ctx: Context, day: Day, trust: Trust, i: number, schedule: ((s: Session) => void) | null): Exam {
  const r = seededRandom(hash4(ctx.seed, day.number, trust.index, i));
  const modality = weighted(r(), modalityMix);
  const emergencyCapable = modality === "CT" || modality === "CR" || modality === "DX";
  const night = emergencyCapable && r() < (day.working ? 0.08 : 0.25);
  const minute = night ? (22 * 60 + r() * 600) % 1440 : 8 * 60 + r() * 600;
  const patient = trust.patientStart + Math.floor(r() * trust.patientCount);
  const yyyymmdd = day.compact;
  const exam: Exam = {
    trust: trust.index,
    site: Math.floor(r() * trust.sites.length),
    uid: `1.2.826.0.1.3680043.8.498.${yyyymmdd}.${trust.index + 1}.${i + 1}`,
    accession: `${trust.ods}${yyyymmdd.slice(2)}${String(i + 1).padStart(5, "0")}`.slice(0, 16),
    modality,
    nhs: nhsOf(ctx.patients, patient),
    patient,
    performedAt: localTime(day, minute),
  };
  if (!schedule) return exam;
  const t = trust.index;
  // Arguments are evaluated left to right: `at` and `extras` draw before the pick, as they always have.
  const add = (at: number, kind: SessionKind, trust: number, role: ClinicalRole, purpose: Purpose, extras: number) => schedule(session(at, kind, exam, trust, role, purpose, extras, r()));

  // Reporting: at once for emergencies, the same day for most, the next working day for the rest.
  const reporter: ClinicalRole = (modality === "CR" || modality === "DX" || modality === "US") && r() < 0.45 ? "reporting_radiographer" : "radiologist";
  if (night) {
    add(exam.performedAt + (10 + r() * 50) * minuteMs, "report", t, reporter, "emergency", r() < 0.3 ? 1 : 0);
    add(exam.performedAt + (20 + r() * 90) * minuteMs, "clinic", t, "clinician", "emergency", 0);
  } else if (r() < 0.7 && minute < 20 * 60) {
    add(exam.performedAt + (15 + r() * Math.min(240, 21 * 60 - minute - 15)) * minuteMs, "report", t, reporter, "direct_care", r() < 0.3 ? 1 : 0);
  } else {
    let next = dayAt(day.number + 1);
    while (!next.working) next = dayAt(next.number + 1);
    add(between(r, next, 8 * 60 + 30, 17 * 60 + 30), "report", t, reporter, "direct_care", r() < 0.3 ? 1 : 0);
  }
  // A radiographer's check, minutes after the exam.
  if (r() < 0.5) add(exam.performedAt + (2 + r() * 13) * minuteMs, "qa", t, "radiographer", night ? "emergency" : "direct_care", r() < 0.003 ? 4 : 0);
  // Clinic and ward views over the next two weeks.
  const views = weighted(r(), viewCounts);
  for (let v = 0; v < views; v++) {
    const d = viewDay(r, day, 14);
    const earliest = d.number === day.number ? Math.min(20 * 60, minute + 60) : 8 * 60 + 30;
    const e = r();
    add(between(r, d, earliest, 20 * 60 + 30), "clinic", t, "clinician", "direct_care", e < 0.012 ? 2 : e < 0.016 ? 8 : 0);
  }
  // The patient's second trust opens the images under a sharing policy.
  const second = secondTrustOf(ctx, patient, t);
  if (second !== null) {
    const n = r() < 0.6 ? 1 : 2;
    for (let v = 0; v < n; v++) {
      const d = viewDay(r, day, 14);
      add(between(r, d, 8 * 60 + 30, 18 * 60), "cross", second, r() < 0.8 ? "clinician" : "radiologist", r() < 0.85 ? "direct_care" : "mdt", 0);
    }
  }
  // MDTs: cross-sectional imaging is often discussed; some at the regional MDT in Southampton.
  if ((modality === "CT" || modality === "MR" || modality === "PT" || modality === "NM" || modality === "XA") && r() < 0.25) {
    // Meetings fall on working days; redrawn rather than moved, so holidays do not pile them up.
    let meeting = dayAt(day.number + 3 + Math.floor(r() * 12));
    for (let k = 0; k < 5 && !meeting.working; k++) meeting = dayAt(day.number + 3 + Math.floor(r() * 12));
    while (!meeting.working) meeting = dayAt(meeting.number + 1);
    let prep = dayAt(meeting.number - 1);
    while (!prep.working) prep = dayAt(prep.number - 1);
    const hub = t !== 0 && r() < 0.3 ? 0 : t;
    add(between(r, prep, 9 * 60, 16 * 60), "mdt_prep", hub, "mdt_coordinator", "mdt", 0);
    add(between(r, meeting, 12 * 60 + 30, 14 * 60 + 30), "mdt", hub, "radiologist", "mdt", 0);
  }
  return exam;
}
const viewCounts = [[0, 0.08], [1, 0.17], [2, 0.3], [3, 0.25], [4, 0.14], [5, 0.06]] as const;

function randomExam(ctx: Context, r: () => number, day: Day, trust: Trust, maxAgeDays: number): Exam {
  for (;;) {
    const d = dayAt(day.number - Math.floor(r() * (maxAgeDays + 1)));
    const n = examsOn(ctx, d, trust);
    if (n === 0) continue;
    return planExam(ctx, d, trust, Math.floor(r() * n), null);
  }
}

// ---------------------------------------------------------------------------------------------
// Planted patterns and break-glass.

function plantedSessions(ctx: Context, day: Day, dayIndex: number, working: (trust: number, role: ClinicalRole) => Staff[]): Session[] {
  const r = seededRandom(hash3(ctx.seed, day.number, 4242));
  const out: Session[] = [];
  // The instant is drawn before the exam, as the arguments are evaluated in order.
  const plant = (at: number, kind: SessionKind, exam: Exam, trust: number, actor: Staff, purpose: Purpose, justification: string | null = null) =>
    out.push(session(at, kind, exam, trust, actor.role, purpose, 0, 0, actor, justification));
  const someone = (trust: number, role: ClinicalRole) => {
    const list = working(trust, role);
    return list.length ? list[Math.floor(r() * list.length)]! : undefined;
  };

  // A handful of break-glass accesses a week: emergencies at one trust needing another's images.
  const breakGlass = r() < 0.35 ? 0 : r() < 0.6 ? 1 : 2;
  for (let k = 0; k < breakGlass; k++) {
    const source = Math.floor(r() * 4);
    const target = (source + 1 + Math.floor(r() * 3)) % 4;
    const actor = someone(target, "clinician") ?? someone(target, "radiologist");
    if (!actor) continue;
    const exam = randomExam(ctx, r, day, ctx.trusts[source]!, 300);
    plant(localTime(day, r() * 1440), "break_glass", exam, target, actor, "emergency", justifications[Math.floor(r() * justifications.length)]!);
  }

  const pattern = dayIndex % 14;
  const trust = ctx.trusts[(Math.floor(dayIndex / 14) + 1) % 4]!;
  if (pattern === 5) {
    // Night-time browsing: a clinician opens a dozen patients' images between 01:00 and 03:30.
    const actor = someone(trust.index, "clinician");
    if (actor) {
      const n = 8 + Math.floor(r() * 8);
      for (let k = 0; k < n; k++) plant(localTime(day, 60 + r() * 150), "planted", randomExam(ctx, r, day, trust, 60), trust.index, actor, "direct_care");
    }
  } else if (pattern === 9) {
    // A leaver's account opens images at their old trust.
    const n = 3 + Math.floor(r() * 4);
    const old = ctx.trusts[ctx.leaver.trust]!;
    for (let k = 0; k < n; k++) plant(localTime(day, 10 * 60 + r() * 300), "planted", randomExam(ctx, r, day, old, 30), old.index, ctx.leaver, "direct_care");
  } else if (pattern === 11) {
    // Cross-trust views with no policy and no break-glass.
    const source = (trust.index + 2) % 4;
    const actor = someone(trust.index, "clinician");
    if (actor) {
      const n = 2 + Math.floor(r() * 4);
      for (let k = 0; k < n; k++) plant(localTime(day, 9 * 60 + r() * 480), "planted", randomExam(ctx, r, day, ctx.trusts[source]!, 90), trust.index, actor, "direct_care");
    }
  } else if (pattern === 2 && dayIndex >= volumeHistoryDays) {
    // A clinician with a normal history opens far more patients than usual in one day.
    const settled = working(trust.index, "clinician").filter((s) => s.from <= day.start - volumeHistoryDays * dayMs);
    const actor = settled.length ? settled[Math.floor(r() * settled.length)] : undefined;
    if (actor) {
      const target = 70 + Math.floor(r() * 40);
      const seen = new Set<number>();
      for (let k = 0; k < target * 3 && seen.size < target; k++) {
        const exam = randomExam(ctx, r, day, trust, 14);
        if (seen.has(exam.patient)) continue;
        seen.add(exam.patient);
        plant(localTime(day, 9 * 60 + r() * 480), "planted", exam, trust.index, actor, "direct_care");
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Events from sessions, chained and written in batches.

const sessionActions: Record<SessionKind, string[]> = {
  report: ["study.query", "study.retrieve", "study.view"],
  qa: ["study.view"],
  clinic: ["study.query", "study.view"],
  cross: ["study.query", "study.view"],
  mdt_prep: ["study.view"],
  mdt: ["study.retrieve", "study.view"],
  break_glass: ["study.query", "study.view"],
  planted: ["study.query", "study.view"],
};

class HistoryWriter {
  events = 0;
  crossTrust = 0;
  breakGlass = 0;
  alerts: Record<string, number> = {};
  private rows: ChainedRow[] = [];
  private alertRows: AlertRow[] = [];
  private months = new Set<string>();
  /** Months with events, in order, not yet known to be complete in the database. */
  private openMonths: string[] = [];
  /** The month (UTC, as the partitions are cut) of the last event added, [from, to). */
  private monthFrom = Infinity;
  private monthTo = -Infinity;
  private inFlight: Promise<void> | null = null;
  private facts: RuleFacts;

  constructor(
    private ctx: Context,
    private batchSize: number,
    private onMonthWritten?: (month: string) => void,
  ) {
    this.facts = {
      userStatus: (email) => ctx.userStatus.get(email),
      isRestricted: (nhs, trustId) => ctx.restricted.has(`${nhs}|${trustId}`),
    };
  }

  /** Appends one event, in time order, to its source trust's chain (where appendAuditEvents chains it). */
  add(row: ChainedRow): void {
    this.rows.push(row);
    this.events++;
    const at = row.occurredAt.getTime();
    if (at < this.monthFrom || at >= this.monthTo) this.enterMonth(row.occurredAt);
    // The rules see exactly what ingest's would, through the same code.
    const raised = alertRowsFor(row, this.facts);
    for (let i = 0; i < raised.length; i++) {
      const a = raised[i]!;
      this.alerts[a.rule] = (this.alerts[a.rule] ?? 0) + 1;
      this.alertRows.push(a);
    }
  }

  private enterMonth(at: Date): void {
    this.monthFrom = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
    this.monthTo = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
    const month = at.toISOString().slice(0, 7);
    if (this.months.has(month)) return;
    this.months.add(month);
    this.openMonths.push(month);
  }

  /**
   * Events come in time order: once a batch ending in `month` commits, the months before it are
   * complete (all of them, once the last batch has: `month` null).
   */
  private monthsWrittenBefore(month: string | null | undefined): void {
    while (month !== undefined && this.openMonths.length > 0 && (month === null || this.openMonths[0]! < month)) {
      const done = this.openMonths.shift()!;
      this.onMonthWritten?.(done);
    }
  }

  get pending(): number {
    return this.rows.length;
  }

  /** Sends the rows so far as one transaction, chained there as ingest chains; the next batch is generated while it runs. */
  async flush(): Promise<void> {
    if (this.rows.length === 0) return;
    const rows = this.rows;
    const alerts = this.alertRows;
    this.rows = [];
    this.alertRows = [];
    const last = this.openMonths.at(-1);

    await this.inFlight;
    const write = this.ctx.database.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
      const heads = await lockChainHeads(tx, rows.map((r) => r.chain));
      await saveChainHeads(tx, await appendAuditEvents(tx, rows, heads));
      await insertAlerts(tx, alerts);
    }).then(() => this.monthsWrittenBefore(last));
    // Surfaced by the next flush or by finish(); never an unhandled rejection meanwhile.
    write.catch(() => {});
    this.inFlight = write;
  }

  async finish(): Promise<void> {
    await this.flush();
    await this.inFlight;
    this.inFlight = null;
    // Nothing more is coming: the last months are complete too (their indexes can be built while the volume scan runs).
    this.monthsWrittenBefore(null);
  }

  get full(): boolean {
    return this.rows.length >= this.batchSize;
  }
}

/** Character codes of the hex digits. */
const hexDigits = new Uint8Array([...'0123456789abcdef'].map((c) => c.charCodeAt(0)));
/** The hex digit of bits shift..shift+3 of v. */
const hexAt = (v: number, shift: number) => hexDigits[(v >>> shift) & 15]!;

/**
 * Event ids, deterministic (the same seed, window and scale give the same ids) and in the UUIDv7
 * layout (RFC 9562), so time-ordered: the primary key index is appended to, not written all over.
 * 48 bits of the event's time in milliseconds, the version and variant, 44 bits that tell runs apart,
 * and the event's number in the run (32 bits): unique within a run, and two runs cannot hold events
 * at the same millisecond (a window that already has events is refused).
 */
class EventIds {
  /** "-7aaa-Vbbb-bbbb" as character codes: version 7, then the variant (binary 10) and the run's bits. */
  private readonly middle: number[];
  private n = 0;

  constructor(seed: number, from: number, scale: number) {
    const a = hash4(seed, Math.floor(from / 2 ** 32), from >>> 0, Math.round(scale * 1e6));
    const b = hash2(a, 1);
    const text = `-7${(a & 0xfff).toString(16).padStart(3, "0")}-${(0x8000 | (b & 0x3fff)).toString(16)}-${((b >>> 14) & 0xffff).toString(16).padStart(4, "0")}`;
    this.middle = [...text].map((c) => c.charCodeAt(0));
  }

  /** The id of the next event, which occurs at `ms`. One flat string (concatenation would leave a rope of a dozen pieces on every row). */
  next(ms: number): string {
    const high = Math.floor(ms / 65536); // the top 32 of the 48 bits
    const low = ms - high * 65536;
    const n = this.n++ >>> 0;
    const m = this.middle;
    return String.fromCharCode(
      hexAt(high, 28), hexAt(high, 24), hexAt(high, 20), hexAt(high, 16), hexAt(high, 12), hexAt(high, 8), hexAt(high, 4), hexAt(high, 0),
      45, hexAt(low, 12), hexAt(low, 8), hexAt(low, 4), hexAt(low, 0),
      m[0]!, m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!, m[7]!, m[8]!, m[9]!, m[10]!, m[11]!, m[12]!, m[13]!, m[14]!,
      hexAt(n, 28), hexAt(n, 24), hexAt(n, 20), hexAt(n, 16), hexAt(n, 12), hexAt(n, 8), hexAt(n, 4), hexAt(n, 0),
    );
  }
}

/** Time order of events (Array.prototype.sort is stable: events at the same instant keep their order). */
const byTime = (a: ChainedRow, b: ChainedRow) => a.occurredAt.getTime() - b.occurredAt.getTime();
/** The actions of the session being turned into events (one array, reused). */
const actions: string[] = [];

const workstationArea: Record<SessionKind, string> = { report: "RAD", qa: "XR", clinic: "OPD", cross: "OPD", mdt_prep: "MDT", mdt: "MDT", break_glass: "ED", planted: "WARD" };

// The per-session and per-event work lives in plain functions rather than in the loop of the async
// generateAccessHistory: they are optimised early and as a whole, so their numbers and iterations
// are not boxed and allocated on every step.

const fallbackRoles: ClinicalRole[] = ["radiologist", "clinician", "reporting_radiographer", "radiographer", "mdt_coordinator"];

/** Someone of the session's role at work that day at its trust (or of another role, when none is), picked by the session. */
function someoneAtWork(s: Session, working: (trust: number, role: ClinicalRole) => Staff[]): Staff | null {
  let list = working(s.trust, s.role);
  for (let i = 0; i < fallbackRoles.length && list.length === 0; i++) list = working(s.trust, fallbackRoles[i]!);
  return list.length ? list[Math.floor(s.pick * list.length)]! : null;
}

/**
 * One session's events, in their stored form (the writer fills in their place in the chain), pushed
 * onto `out`; events at or after `to` are left out (a session at the window's end is cut there).
 * Returns whether it was a view of another trust's images that went ahead.
 */
function eventsOfSession(ctx: Context, s: Session, actor: Staff, r: () => number, to: number, ids: EventIds, out: ChainedRow[]): boolean {
  const exam = s.exam;
  const source = ctx.trusts[exam.trust]!;
  const crossTrust = s.trust !== exam.trust;
  let policy: Policy | null = null;
  let outcome: "success" | "denied" = "success";
  if (crossTrust && s.kind !== "break_glass" && s.kind !== "planted") {
    policy = ctx.policyOf(exam.trust, s.trust, s.at);
    // No policy in force, or a restricted patient: the PACS refuses and audits the refusal.
    if (!policy || ctx.restricted.has(`${exam.nhs}|${source.id}`) || r() < 0.02) {
      policy = null;
      outcome = "denied";
    }
  }
  const actorTrust = ctx.trusts[s.trust]!;
  actions.length = 0;
  if (outcome === "denied") actions.push("study.view");
  else {
    const base = sessionActions[s.kind];
    for (let i = 0; i < base.length; i++) actions.push(base[i]!);
    if ((s.kind === "clinic" || s.kind === "cross") && r() < 0.7) actions.push("report.view");
    if (s.extras & 1) actions.splice(1, 0, "study.query");
    if (s.extras & 2) actions.push("study.download");
    if (s.extras & 4) actions.push("study.export");
    if (s.extras & 8) actions.push("study.print");
  }
  const workstation = `${actorTrust.sites[Math.floor(s.pick * actorTrust.sites.length)]}-${workstationArea[s.kind]}-${actor.desk}`;
  const ip = `${ipPrefix[actorTrust.ods] ?? "10.99"}.${actor.host}`;
  const policyId = policy?.id ?? null;
  const policyVersion = policy?.version ?? null;
  let at = s.at;
  for (let i = 0; i < actions.length && at < to; i++) {
    const occurredAt = new Date(at);
    out.push({
      id: ids.next(occurredAt.getTime()),
      chain: source.id,
      seq: 0,
      occurredAt,
      recordedAt: new Date(at + 1000 + Math.floor(r() * 20_000)),
      action: actions[i]!,
      outcome,
      actorUserId: actor.userId,
      actorEmail: actor.email,
      actorTrustId: actorTrust.id,
      actorRole: actor.role,
      sourceTrustId: source.id,
      patientNhsNumber: exam.nhs,
      studyInstanceUid: exam.uid,
      accessionNumber: exam.accession,
      modality: exam.modality,
      purpose: s.purpose,
      policyId,
      policyVersion,
      breakGlassJustification: s.justification,
      ip,
      workstation,
      targetType: "study",
      targetId: exam.uid,
      details: null,
      prevHash: "",
      hash: "",
    });
    at += 2000 + Math.floor(r() * 8000);
  }
  return outcome !== "denied" && crossTrust;
}

/** Hands the buffered events before `until` to the writer in time order; later ones stay buffered. */
function releaseUntil(buffer: ChainedRow[], until: number, writer: HistoryWriter): void {
  buffer.sort(byTime);
  let k = 0;
  while (k < buffer.length && buffer[k]!.occurredAt.getTime() < until) writer.add(buffer[k++]!);
  buffer.splice(0, k);
}

/** Generates and writes the access history of the four demo trusts for [from, to). */
export async function generateAccessHistory(database: Database, options: AccessHistoryOptions): Promise<AccessHistoryResult> {
  const from = options.from.getTime();
  const to = Math.min(options.to.getTime(), Date.now());
  if (!(options.scale > 0 && options.scale <= 50)) throw new Error("scale must be above 0 and at most 50");
  if (!(to > from)) throw new Error("the history needs a window: from must be before to (and not in the future)");
  if (!(await isDemoDatabase(database))) throw new Error("The access history is demo data: it is only generated into the demo consortium's database.");
  const existing = rowsOf(
    await database.db.execute(sql`select 1 from audit_events where target_type = 'study' and occurred_at >= ${new Date(from).toISOString()}::timestamptz and occurred_at < ${new Date(to).toISOString()}::timestamptz limit 1`),
  );
  if (existing.length) throw new Error("This database already holds access events in that window; the history is generated once per window.");

  const seed = options.seed ?? 1;
  const ctx = await loadContext(database, seed, options.scale, from);
  const writer = new HistoryWriter(ctx, options.batchSize ?? 20_000, options.onMonthWritten);
  const ids = new EventIds(seed, from, options.scale);

  const firstDay = dayAt(dayNumberOf(from));
  const lastDay = dayAt(dayNumberOf(to - 1));
  const totalDays = Math.round((lastDay.number - firstDay.number) / 1) + 1;
  const pending = new Map<number, Session[]>();
  const schedule = (s: Session) => {
    if (s.at < from || s.at >= to) return;
    const dayNumber = dayNumberOf(s.at);
    let list = pending.get(dayNumber);
    if (!list) pending.set(dayNumber, (list = []));
    list.push(s);
  };
  // Exams of the two weeks before the window are still being viewed in its first days.
  let exams = 0;
  for (let back = 21; back >= 1; back--) {
    const d = dayAt(firstDay.number - back);
    for (const t of ctx.trusts) for (let i = 0, n = examsOn(ctx, d, t); i < n; i++) planExam(ctx, d, t, i, schedule);
  }

  for (let dayIndex = 0; dayIndex < totalDays; dayIndex++) {
    const day = dayAt(firstDay.number + dayIndex);
    // Who works today: a stable share of each role, fewer at weekends, within their assignment.
    const noon = localTime(day, 12 * 60);
    const share = day.working ? workingShare : weekendShare;
    const rota = new Map<string, Staff[]>();
    for (const s of ctx.staff) {
      // Each person works `share` of the days (the golden ratio spreads their days evenly).
      const phase = (day.number * 0.6180339887 + s.slot) % 1;
      if (s.from > noon || s.until <= noon || phase >= share) continue;
      const key = `${s.trust}|${s.role}`;
      let list = rota.get(key);
      if (!list) rota.set(key, (list = []));
      list.push(s);
    }
    const working = (trust: number, role: ClinicalRole): Staff[] => rota.get(`${trust}|${role}`) ?? [];

    for (const t of ctx.trusts) {
      const n = examsOn(ctx, day, t);
      exams += n;
      for (let i = 0; i < n; i++) planExam(ctx, day, t, i, schedule);
    }
    for (const s of plantedSessions(ctx, day, dayIndex, working)) schedule(s);

    const sessions = (pending.get(day.number) ?? []).sort((a, b) => a.at - b.at);
    pending.delete(day.number);
    const r = seededRandom(hash3(seed, day.number, 99));
    // Events are buffered and released in time order: a session's events follow its start by at most a minute.
    const buffer: ChainedRow[] = [];
    const release = async (until: number) => {
      releaseUntil(buffer, until, writer);
      if (writer.full) await writer.flush();
      // Let the batch in flight make progress while the next is generated.
      await new Promise((resolve) => setImmediate(resolve));
    };

    for (let k = 0; k < sessions.length; k++) {
      const s = sessions[k]!;
      const actor = s.actor ?? someoneAtWork(s, working);
      if (!actor) continue;
      if (eventsOfSession(ctx, s, actor, r, to, ids, buffer)) writer.crossTrust++;
      if (s.kind === "break_glass") writer.breakGlass++;
      if (buffer.length >= 2_000) await release(s.at);
    }
    await release(Infinity);
    options.onProgress?.({ day: day.iso, daysDone: dayIndex + 1, days: totalDays, events: writer.events });
  }
  await writer.finish();

  if (options.scanVolume !== false) {
    const first = addDays(firstDay.iso, volumeHistoryDays);
    if (first <= lastDay.iso) {
      const result = await database.db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
        return scanUnusualVolume(tx, first, lastDay.iso);
      });
      writer.alerts.unusual_volume = (writer.alerts.unusual_volume ?? 0) + result.raised;
    }
  }
  return { days: totalDays, events: writer.events, exams, crossTrust: writer.crossTrust, breakGlass: writer.breakGlass, alerts: writer.alerts };
}
