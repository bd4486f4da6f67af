import "server-only";
// The demo's history: exams with the consortium's modality mix, sizes, daily and weekly rhythm and
// bank holidays, growing from 1.3 million a year in 2020 to 1.75 million by the end of 2026; storage snapshots that
// follow from those exams; quotas set so that some tiers show warnings. Streamed day by day in
// batches through the same statements as the machine API (rollups filled as it goes), so memory
// stays flat whatever the number of years. Deterministic: the same arguments give the same data,
// and a rerun stores nothing twice (study UIDs are derived from trust, day and sequence).
import { asc, isNull, sql } from "drizzle-orm";
import type { Database, Tx } from "@/db/client";
import { departments, dicomDevices, sites, storageQuotas, trusts } from "@/db/schema";
import { insertExamRows, upsertStorageRows, type ExamRow, type StorageRow } from "@/lib/capacity/ingest";
import { addDays, daysBetween, isBankHoliday, londonOffsetMinutes, londonToday, weekdayOf } from "@/lib/calendar";
import { seededRandom } from "./random";

export type HistoryOptions = {
  years: number;
  scale: number;
  /** Last day of history (default yesterday, London). */
  until?: string;
  batchSize?: number;
  onStart?: (days: number) => void;
  onDay?: (done: number, exams: number) => void;
};

// Knobs from DATA.md ("Assumed").
const trustShare: Record<string, number> = { RHM: 0.36, RHU: 0.32, RNZ: 0.17, R1F: 0.15 };
const modalityMix: [string, number][] = [
  ["DX", 0.33], ["CR", 0.22], ["US", 0.2], ["CT", 0.13], ["MR", 0.08], ["MG", 0.02],
  ["NM", 0.006], ["PT", 0.003], ["XA", 0.006], ["RF", 0.005],
];
// Median bytes per exam and the log-normal spread; mammography spans 2D to tomosynthesis.
const sizes: Record<string, { median: number; sigma: number; perImage: number }> = {
  CR: { median: 15e6, sigma: 0.4, perImage: 8e6 },
  DX: { median: 15e6, sigma: 0.4, perImage: 8e6 },
  US: { median: 10e6, sigma: 0.5, perImage: 0.4e6 },
  CT: { median: 150e6, sigma: 0.7, perImage: 0.5e6 },
  MR: { median: 100e6, sigma: 0.6, perImage: 0.13e6 },
  MG: { median: 50e6, sigma: 1.1, perImage: 12e6 },
  NM: { median: 20e6, sigma: 0.5, perImage: 0.25e6 },
  PT: { median: 60e6, sigma: 0.5, perImage: 0.25e6 },
  XA: { median: 300e6, sigma: 0.6, perImage: 1e6 },
  RF: { median: 30e6, sigma: 0.6, perImage: 1e6 },
};
// Modalities that run through the night and at weekends (emergency work).
const roundTheClock = new Set(["CT", "CR", "DX"]);
const startAnnual = 1_300_000;
const endAnnual = 1_750_000;
// Growth is anchored to the calendar (1.3 million a year in 2020 to the contracted 1.75 million by
// the end of 2026, flat outside), so a day has the same exams whatever history it is generated in:
// a longer history extends a shorter one, and the benchmark compares like with like.
const growthFrom = "2020-01-01";
const growthTo = "2026-12-31";

/** The consortium's annual exam rate on a day. */
export function annualRateOn(day: string): number {
  const t = Math.min(1, Math.max(0, daysBetween(growthFrom, day) / daysBetween(growthFrom, growthTo)));
  return startAnnual + (endAnnual - startAnnual) * t;
}
/** Online storage keeps the last two years; the archive keeps everything. */
const onlineDays = 730;

function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function pick<T>(random: () => number, weighted: readonly [T, number][]): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let r = random() * total;
  for (const [v, w] of weighted) {
    r -= w;
    if (r <= 0) return v;
  }
  return weighted[weighted.length - 1]![0];
}

// Hour weights (UK time): weekdays peak 08:00–18:00; nights keep emergency work.
const weekdayHours: [number, number][] = Array.from({ length: 24 }, (_, h) => [h, h >= 8 && h < 18 ? 10 : h >= 18 && h < 22 ? 3 : 1]);
const weekendHours: [number, number][] = Array.from({ length: 24 }, (_, h) => [h, h >= 9 && h < 20 ? 3 : 1]);
const dayHours: [number, number][] = Array.from({ length: 24 }, (_, h) => [h, h >= 8 && h < 18 ? 1 : 0]);

/** UTC offset of London on a day (at noon), in hours (1 in summer time, 0 otherwise). */
function londonOffset(day: string): number {
  return londonOffsetMinutes(new Date(`${day}T12:00:00Z`)) / 60;
}

async function asSeed<T>(database: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return database.db.transaction(async (tx) => {
    // The seed runs as the owner; this scope lets it through row-level security where the owner is not a superuser.
    await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
    return fn(tx);
  });
}

/** Generates the demo history into a database that holds the demo consortium. Returns what it stored. */
export async function seedHistory(database: Database, options: HistoryOptions): Promise<{ exams: number; snapshots: number; days: number }> {
  const until = options.until ?? addDays(londonToday(), -1);
  const days = Math.max(1, Math.round(options.years * 365));
  const first = addDays(until, -(days - 1));
  const batchSize = options.batchSize ?? 10_000;

  const { trustRows, siteRows, deviceRows } = await asSeed(database, async (tx) => ({
    trustRows: await tx.select({ id: trusts.id, odsCode: trusts.odsCode }).from(trusts),
    siteRows: await tx
      .select({ siteId: sites.id, trustId: sites.trustId, code: sites.code, modalities: departments.modalities })
      .from(sites)
      .innerJoin(departments, sql`${departments.siteId} = ${sites.id}`),
    deviceRows: await tx
      .select({ siteId: dicomDevices.siteId, modality: dicomDevices.modality, aeTitle: dicomDevices.aeTitle })
      .from(dicomDevices)
      .where(isNull(dicomDevices.retiredAt))
      .orderBy(asc(dicomDevices.aeTitle)),
  }));
  // The device a site's study of a modality came from (its first scanner of that modality), so that
  // the study look-up names it; none where the site has no such device registered.
  const deviceFor = new Map<string, string>();
  for (const d of deviceRows) if (d.modality && !deviceFor.has(`${d.siteId}|${d.modality}`)) deviceFor.set(`${d.siteId}|${d.modality}`, d.aeTitle);
  const demo = trustRows.filter((t) => t.odsCode in trustShare);
  if (demo.length === 0) throw new Error("The demo trusts are missing: run the demo seed first.");
  // For each trust and modality, the sites whose departments run it (weighted by how many do).
  const sitesFor = new Map<string, [string, number][]>();
  for (const t of demo) {
    for (const [modality] of modalityMix) {
      const weights = new Map<string, number>();
      for (const s of siteRows) if (s.trustId === t.id && s.modalities.includes(modality)) weights.set(s.siteId, (weights.get(s.siteId) ?? 0) + 1);
      const fallback = siteRows.filter((s) => s.trustId === t.id).map((s) => s.siteId);
      sitesFor.set(`${t.id}|${modality}`, weights.size ? [...weights] : fallback.slice(0, 1).map((id) => [id, 1]));
    }
  }
  const trustWeights: [(typeof demo)[number], number][] = demo.map((t) => [t, trustShare[t.odsCode] ?? 0]);

  // Bytes per trust and modality by day index, for the storage snapshots (online = last 730 days).
  const modalityIndex = new Map(modalityMix.map(([m], i) => [m, i]));
  const perDay: Float64Array[] = [];
  const archive = demo.map(() => new Float64Array(modalityMix.length));
  const online = demo.map(() => new Float64Array(modalityMix.length));
  // What the trusts held before the history starts: two years at the starting rate (the legacy archives).
  const legacyDaily = demo.map((t) => modalityMix.map(([m, share]) => ((startAnnual * options.scale * (trustShare[t.odsCode] ?? 0) * share) / 365) * (sizes[m]?.median ?? 1e7) * 1.3));
  demo.forEach((_, ti) => modalityMix.forEach((_, mi) => {
    archive[ti]![mi] = legacyDaily[ti]![mi]! * 730;
    online[ti]![mi] = legacyDaily[ti]![mi]! * 730;
  }));

  options.onStart?.(days);
  let batch: ExamRow[] = [];
  let snapshots: StorageRow[] = [];
  let stored = 0;
  let storedSnapshots = 0;
  const flush = async (force = false) => {
    if (batch.length >= batchSize || (force && batch.length)) {
      const rows = batch;
      batch = [];
      stored += await asSeed(database, (tx) => insertExamRows(tx, rows));
    }
    if (snapshots.length >= batchSize || (force && snapshots.length)) {
      const rows = snapshots;
      snapshots = [];
      storedSnapshots += await asSeed(database, (tx) => upsertStorageRows(tx, rows));
    }
  };

  for (let d = 0; d < days; d++) {
    const day = addDays(first, d);
    const random = seededRandom(Number(day.replace(/-/g, "")) * 7919);
    const annual = annualRateOn(day);
    const dow = weekdayOf(day);
    const quiet = dow === 0 || dow === 6 || isBankHoliday(day);
    // A year has about 250 working days plus 115 quiet days at a third: 288 weekday-equivalents.
    const expected = ((annual * options.scale) / 288) * (quiet ? 1 / 3 : 1) * (1 + normal(random) * 0.04);
    const count = Math.max(0, Math.round(expected));
    const offset = londonOffset(day);
    const today = new Float64Array(demo.length * modalityMix.length);
    const seq = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const trust = pick(random, trustWeights);
      const ti = demo.indexOf(trust);
      let modality = pick(random, modalityMix);
      const hours = roundTheClock.has(modality) ? (quiet ? weekendHours : weekdayHours) : quiet ? weekendHours : dayHours;
      const hour = pick(random, hours);
      // Quiet days and nights bring emergency modalities only.
      if (!roundTheClock.has(modality) && (quiet || hour < 8 || hour >= 18) && random() < 0.8) modality = random() < 0.5 ? "CT" : "DX";
      const size = sizes[modality] ?? { median: 1e7, sigma: 0.5, perImage: 1e6 };
      const sizeBytes = Math.round(size.median * Math.exp(size.sigma * normal(random)));
      const n = (seq.get(trust.odsCode) ?? 0) + 1;
      seq.set(trust.odsCode, n);
      const minute = Math.floor(random() * 60);
      const performedAt = new Date(Date.parse(`${day}T00:00:00Z`) + ((hour - offset) * 60 + minute) * 60_000 + Math.floor(random() * 60_000));
      const site = pick(random, sitesFor.get(`${trust.id}|${modality}`) ?? []);
      batch.push({
        studyInstanceUid: `1.2.826.0.1.3680043.10.543.${demo.indexOf(trust) + 1}.${day.replace(/-/g, "")}.${n}`,
        trustId: trust.id,
        siteId: site,
        accessionNumber: `${trust.odsCode}${day.replace(/-/g, "")}${String(n).padStart(5, "0")}`,
        modality,
        performedAt,
        imageCount: Math.max(1, Math.round(sizeBytes / size.perImage)),
        sizeBytes,
        aeTitle: deviceFor.get(`${site}|${modality}`) ?? null,
      });
      today[ti * modalityMix.length + (modalityIndex.get(modality) ?? 0)]! += sizeBytes;
      if (batch.length >= batchSize) await flush();
    }
    // Storage at the end of the day: the archive keeps everything, online the last two years.
    perDay.push(today);
    const expired = d >= onlineDays ? perDay[d - onlineDays] : null;
    if (d >= onlineDays) perDay[d - onlineDays] = new Float64Array(0); // release it: memory stays flat
    demo.forEach((t, ti) =>
      modalityMix.forEach(([m], mi) => {
        const k = ti * modalityMix.length + mi;
        archive[ti]![mi]! += today[k]!;
        online[ti]![mi]! += today[k]! - (expired?.[k] ?? legacyDaily[ti]![mi]!);
        snapshots.push({ trustId: t.id, tier: "archive", date: day, modality: m, bytes: Math.round(archive[ti]![mi]!) });
        snapshots.push({ trustId: t.id, tier: "online", date: day, modality: m, bytes: Math.max(0, Math.round(online[ti]![mi]!)) });
      }),
    );
    await flush();
    options.onDay?.(d + 1, stored + batch.length);
  }
  await flush(true);

  // Quotas that leave RHU's online tier nearly full, RHM's at a warning and the rest with headroom.
  const target: Record<string, { online: number; archive: number }> = {
    RHM: { online: 0.84, archive: 0.62 },
    RHU: { online: 0.96, archive: 0.7 },
    RNZ: { online: 0.55, archive: 0.5 },
    R1F: { online: 0.68, archive: 0.58 },
  };
  await asSeed(database, async (tx) => {
    for (const [ti, t] of demo.entries()) {
      for (const tier of ["online", "archive"] as const) {
        const used = (tier === "online" ? online : archive)[ti]!.reduce((s, b) => s + Math.max(0, b), 0);
        const quotaBytes = Math.max(1e12, Math.round(used / (target[t.odsCode]?.[tier] ?? 0.6) / 1e11) * 1e11);
        await tx.insert(storageQuotas).values({ trustId: t.id, tier, quotaBytes }).onConflictDoNothing();
      }
    }
  });
  return { exams: stored, snapshots: storedSnapshots, days: daysBetween(first, until) + 1 };
}
