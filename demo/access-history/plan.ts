// The plan of the history: the exams of each trust and day, the sessions in which each will be
// opened (reporting, checks, clinic and ward views, second trusts, MDTs), and the patterns planted
// for the alert rules to find. Pure: it reads the consortium loaded before and writes nothing.
import { volumeHistoryDays } from "@/lib/audit/volume-scan";
import { seededRandom } from "../random";
import { type Day, dayAt, dayMs, localTime, minuteMs } from "./calendar";
import { hash3, hash4, weighted } from "./hash";
import { type ClinicalRole, type Context, examsPerWorkingDay, nhsOf, type Purpose, type Staff, type Trust } from "./consortium";

type Exam = { trust: number; site: number; uid: string; accession: string; modality: string; nhs: string; patient: number; performedAt: number };

export type SessionKind = "report" | "qa" | "clinic" | "cross" | "mdt_prep" | "mdt" | "break_glass" | "planted";
export type Session = {
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

const justifications = [
  "Unconscious patient transferred from another trust; urgent review of previous CT head before intervention.",
  "Major trauma call: previous imaging needed to compare with today's CT, patient unable to consent.",
  "Suspected aortic dissection out of hours; prior CT angiogram held at the referring trust.",
  "Stroke thrombolysis decision: prior MR brain from the patient's home trust needed now.",
  "Emergency surgery overnight; previous imaging from the other trust needed to plan the approach.",
];

export function examsOn(ctx: Context, day: Day, trust: Trust): number {
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
export function planExam(ctx: Context, day: Day, trust: Trust, i: number, schedule: ((s: Session) => void) | null): Exam {
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

export function plantedSessions(ctx: Context, day: Day, dayIndex: number, working: (trust: number, role: ClinicalRole) => Staff[]): Session[] {
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
