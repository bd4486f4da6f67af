// The writer of the history: sessions turned into audit events (ids, workstations, outcomes under
// the sharing policies), released in time order and written in batches, chained exactly as ingest
// chains them, with the alerts that ingest would have raised.
import "server-only";
import { sql } from "drizzle-orm";
import type { RuleFacts } from "@/lib/audit/alert-rules";
import { appendAuditEvents, lockChainHeads, saveChainHeads, type ChainedRow } from "@/lib/audit/append";
import { alertRowsFor, insertAlerts, type AlertRow } from "@/lib/audit/raise-alerts";
import { hash2, hash4 } from "./hash";
import type { ClinicalRole, Context, Policy, Staff } from "./consortium";
import type { Session, SessionKind } from "./plan";

const ipPrefix: Record<string, string> = { RHM: "10.10", RHU: "10.20", RNZ: "10.30", R1F: "10.40" };

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

export class HistoryWriter {
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
export class EventIds {
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
export function someoneAtWork(s: Session, working: (trust: number, role: ClinicalRole) => Staff[]): Staff | null {
  let list = working(s.trust, s.role);
  for (let i = 0; i < fallbackRoles.length && list.length === 0; i++) list = working(s.trust, fallbackRoles[i]!);
  return list.length ? list[Math.floor(s.pick * list.length)]! : null;
}

/**
 * One session's events, in their stored form (the writer fills in their place in the chain), pushed
 * onto `out`; events at or after `to` are left out (a session at the window's end is cut there).
 * Returns whether it was a view of another trust's images that went ahead.
 */
export function eventsOfSession(ctx: Context, s: Session, actor: Staff, r: () => number, to: number, ids: EventIds, out: ChainedRow[]): boolean {
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
export function releaseUntil(buffer: ChainedRow[], until: number, writer: HistoryWriter): void {
  buffer.sort(byTime);
  let k = 0;
  while (k < buffer.length && buffer[k]!.occurredAt.getTime() < until) writer.add(buffer[k++]!);
  buffer.splice(0, k);
}
