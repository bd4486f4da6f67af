import "server-only";
import { asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import { consortium, quotaChangeRequests, sites, storageQuotas, trusts, users } from "@/db/schema";
import { can, trustsWhere, type Ctx } from "@/lib/auth/context";
import { pgArray } from "@/lib/db/arrays";
import { withTenant, type Tx } from "@/lib/db/scope";
import { notFound } from "@/lib/errors";
import { addDays, londonToday } from "@/lib/calendar";
import type { CapacityFilter } from "./filter";
import { forecastExhaustion, growthWithGuides, type Forecast } from "./forecast";
import { quotaLevel, type QuotaLevel } from "./quota";
import { byMonth, byWeek, heatmapGrid, partMonthOf, runRate, withSevenDayAverage, yearOverYear, type DayCount } from "./series";
import { type StorageTier } from "./schemas";
import { storageTiers } from "@/lib/vocabulary";
import type { TrustRef } from "@/lib/trust-directory";

/**
 * Who the caller may see capacity figures for. A consortium-wide role sees every trust; a trust's
 * role sees its own trusts only. Anyone else gets "not found", as for a page that does not exist.
 */
function capacityScope(ctx: Ctx) {
  const scope = trustsWhere(ctx, "capacity.read");
  if (!scope.all && scope.trustIds.length === 0) throw notFound("No such page.");
  return scope;
}

async function trustOptionsOf(tx: Tx, scope: { all: boolean; trustIds: string[] }): Promise<TrustRef[]> {
  return tx
    .select({ id: trusts.id, odsCode: trusts.odsCode, name: trusts.name })
    .from(trusts)
    .where(scope.all ? undefined : inArray(trusts.id, scope.trustIds))
    .orderBy(asc(trusts.name));
}

/**
 * The trusts the figures are for: the chosen trust (not found when outside the caller's reach), or
 * with no choice every trust of the caller (null: the whole consortium, for a consortium-wide caller).
 */
function selectTrusts(options: TrustRef[], scope: { all: boolean }, ods: string | undefined): { ids: string[] | null; chosen: TrustRef | null } {
  if (ods) {
    const chosen = options.find((t) => t.odsCode === ods);
    if (!chosen) throw notFound("No such trust.");
    return { ids: [chosen.id], chosen };
  }
  if (scope.all) return { ids: null, chosen: null };
  return { ids: options.map((t) => t.id), chosen: options.length === 1 ? (options[0] ?? null) : null };
}

/**
 * The trusts and site a throughput view is for, with "not found" for a trust or site out of the
 * caller's reach, decided before any figure is read.
 */
async function resolveSelection(tx: Tx, scope: { all: boolean; trustIds: string[] }, filter: CapacityFilter) {
  const options = await trustOptionsOf(tx, scope);
  const { ids, chosen } = selectTrusts(options, scope, filter.trust);
  const siteOptions = await tx
    .select({ id: sites.id, code: sites.code, name: sites.name, trustId: sites.trustId })
    .from(sites)
    .where(ids ? inArray(sites.trustId, ids) : undefined)
    .orderBy(asc(sites.name));
  const site = filter.site ? siteOptions.find((s) => s.code === filter.site) : undefined;
  if (filter.site && !site) throw notFound("No such site.");
  const scopeLabel = site ? site.name : chosen ? `${chosen.name} (${chosen.odsCode})` : ids === null ? "Whole consortium" : "Your trusts";
  return { options, ids, chosen, siteOptions, siteId: site?.id ?? null, scopeLabel };
}

/** What the capacity filters offer the caller; throws NOT_FOUND for a trust or site out of reach (the page's 404). */
export async function getCapacityChoices(ctx: Ctx, filter: CapacityFilter) {
  const scope = capacityScope(ctx);
  return withTenant(ctx, async (tx) => {
    const { options, siteOptions, scopeLabel } = await resolveSelection(tx, scope, filter);
    return {
      scopeLabel,
      trustOptions: options.map(({ odsCode, name }) => ({ odsCode, name })),
      siteOptions: siteOptions.map(({ code, name }) => ({ code, name })),
    };
  });
}

async function rows<T>(tx: Tx, query: SQL): Promise<T[]> {
  return rowsOf<T>(await tx.execute(query));
}

/**
 * A narrower view's run rate beside the consortium's for the same filter (`modality`, or every
 * modality when null): `shareOfConsortium` compares like with like.
 */
function selectedRunRate(yearToDate: number, consortiumYearToDate: number, asOf: string, modality: string | null) {
  const selected = runRate(yearToDate, asOf);
  const consortium = runRate(consortiumYearToDate, asOf);
  return { ...selected, modality, consortium, shareOfConsortium: consortium.annualised ? selected.annualised / consortium.annualised : 0 };
}

/** The throughput dashboard's figures. Reads rollups only, so its cost follows the period, not the history. */
export async function getThroughput(ctx: Ctx, filter: CapacityFilter, today = londonToday()) {
  const scope = capacityScope(ctx);
  return withTenant(ctx, async (tx) => {
    const { options, ids, siteOptions, siteId, scopeLabel } = await resolveSelection(tx, scope, filter);
    const [c] = await tx.select({ contracted: consortium.contractedAnnualExams }).from(consortium).limit(1);

    // The whole consortium with no site chosen reads the consortium rollup; anything narrower the
    // per-trust rollup, always with the trusts in the where clause (row-level security agrees).
    const wholeConsortium = ids === null && siteId === null;
    const mod = filter.modality ? sql`and modality = ${filter.modality}` : sql``;
    // The trusts are always named (every trust for a consortium-wide caller): reads of the per-trust
    // rollups go by (trust, day) through their key, the same path at any length of history.
    const narrow = sql`and trust_id = any(${pgArray(ids ?? options.map((t) => t.id))}::uuid[]) ${siteId ? sql`and site_id = ${siteId}` : sql``} ${mod}`;
    const dailyOf = (from: string, to: string, totals: boolean) =>
      totals
        ? sql`select day::text as day, sum(exam_count)::bigint as count, sum(size_bytes)::bigint as bytes, modality
                from capacity_consortium_exams_daily where day between ${from} and ${to} ${mod} group by day, modality`
        : sql`select day::text as day, sum(exam_count)::bigint as count, sum(size_bytes)::bigint as bytes, modality
                from capacity_exams_daily where day between ${from} and ${to} ${narrow} group by day, modality`;

    type Row = { day: string; count: string | number; bytes: string | number; modality: string };
    const byDay = (list: Row[]): DayCount[] => {
      const m = new Map<string, number>();
      for (const r of list) m.set(r.day, (m.get(r.day) ?? 0) + Number(r.count));
      return [...m].map(([day, count]) => ({ day, count }));
    };

    const padFrom = addDays(filter.from, -6);
    const periodRows = await rows<Row>(tx, dailyOf(padFrom, filter.to, wholeConsortium));
    const inPeriod = periodRows.filter((r) => r.day >= filter.from);
    const daily = withSevenDayAverage(filter.from, filter.to, byDay(periodRows));
    const periodDays = byDay(inPeriod);

    const mix = new Map<string, { count: number; bytes: number }>();
    for (const r of inPeriod) {
      const m = mix.get(r.modality) ?? { count: 0, bytes: 0 };
      m.count += Number(r.count);
      m.bytes += Number(r.bytes);
      mix.set(r.modality, m);
    }
    const total = [...mix.values()].reduce((s, m) => s + m.count, 0);

    // The last complete day: today's exams are not all in.
    const asOf = addDays(today, -1);
    const year = Number(filter.to.slice(0, 4));
    // This year stops at the last complete day, and its part-month is compared with the same days
    // of last year's month (1–10 December against 1–10 December, not the whole of last December).
    const partMonth = partMonthOf(year, asOf);
    const sameDays = partMonth
      ? sql`and day <= ${asOf} ${partMonth.isComplete ? sql`` : sql`and (extract(month from day)::int <> ${partMonth.month} or extract(day from day)::int <= ${partMonth.throughDay})`}`
      : sql``;
    const yearRows = await rows<{ month: string; count: string }>(
      tx,
      wholeConsortium
        ? sql`select to_char(day, 'YYYY-MM') as month, sum(exam_count)::bigint as count from capacity_consortium_exams_daily
               where day between ${`${year - 1}-01-01`} and ${`${year}-12-31`} ${sameDays} ${mod} group by 1`
        : sql`select to_char(day, 'YYYY-MM') as month, sum(exam_count)::bigint as count from capacity_exams_daily
               where day between ${`${year - 1}-01-01`} and ${`${year}-12-31`} ${sameDays} ${narrow} group by 1`,
    );

    // From the daily rollup's 24 hour counts: one row a day, so the cost follows the period.
    const heat = await rows<{ dow: number; hour: number; count: string }>(
      tx,
      sql`select extract(isodow from day)::int as dow, (h.i - 1)::int as hour, sum(h.n)::bigint as count
            from capacity_exams_daily, unnest(hour_counts) with ordinality as h(n, i)
           where day between ${filter.from} and ${filter.to} ${narrow}
           group by 1, 2`,
    );

    // The run rate is the consortium's (the contract is the consortium's), up to yesterday.
    const yearStart = `${asOf.slice(0, 4)}-01-01`;
    const [ytdConsortium] = await rows<{ n: string | null }>(
      tx,
      sql`select sum(exam_count)::bigint as n from capacity_consortium_exams_daily where day between ${yearStart} and ${asOf}`,
    );
    const [ytdSelected] = wholeConsortium
      ? [ytdConsortium]
      : await rows<{ n: string | null }>(tx, sql`select sum(exam_count)::bigint as n from capacity_exams_daily where day between ${yearStart} and ${asOf} ${narrow}`);
    // A narrower view's run rate is compared with the consortium's for the same modality filter:
    // a trust's CT against the consortium's CT, never against every modality.
    const [ytdConsortiumLike] =
      wholeConsortium || !filter.modality
        ? [ytdConsortium]
        : await rows<{ n: string | null }>(tx, sql`select sum(exam_count)::bigint as n from capacity_consortium_exams_daily where day between ${yearStart} and ${asOf} ${mod}`);

    // Consortium totals beside a narrower view: totals only, never another trust's own figures.
    const comparison = !wholeConsortium;
    const consortiumDaily = comparison ? withSevenDayAverage(filter.from, filter.to, byDay(await rows<Row>(tx, dailyOf(padFrom, filter.to, true)))) : null;
    const consortiumMix = comparison
      ? await rows<{ modality: string; count: string }>(
          tx,
          sql`select modality, sum(exam_count)::bigint as count from capacity_consortium_exams_daily
               where day between ${filter.from} and ${filter.to} ${mod} group by 1 order by 1`,
        )
      : null;

    const matrix = await crossTrustMatrix(tx, filter, ids, options);

    return {
      filter,
      scopeLabel,
      isConsortiumWide: scope.all,
      trustOptions: options.map(({ odsCode, name }) => ({ odsCode, name })),
      siteOptions: siteOptions.map(({ code, name }) => ({ code, name })),
      daily,
      // Today, when the period includes it: its exams are still coming in, so its count is a part-day.
      partialDay: filter.from <= today && today <= filter.to ? today : null,
      weekly: byWeek(periodDays),
      monthly: byMonth(periodDays),
      total,
      modalityMix: [...mix]
        .map(([modality, m]) => ({ modality, count: m.count, bytes: m.bytes, share: total ? m.count / total : 0 }))
        .sort((a, b) => b.count - a.count),
      yearOverYear: { year, partMonth, months: yearOverYear(year, yearRows.map((r) => ({ month: r.month, count: Number(r.count) })), partMonth) },
      heatmap: heatmapGrid(heat.map((h) => ({ isoDow: Number(h.dow), hour: Number(h.hour), count: Number(h.count) }))),
      runRate: {
        asOf,
        contracted: c?.contracted ?? 0,
        consortium: runRate(Number(ytdConsortium?.n ?? 0), asOf),
        selected: wholeConsortium ? null : selectedRunRate(Number(ytdSelected?.n ?? 0), Number(ytdConsortiumLike?.n ?? 0), asOf, filter.modality ?? null),
      },
      consortiumDaily,
      consortiumMix: consortiumMix?.map((m) => ({ modality: m.modality, count: Number(m.count) })) ?? null,
      crossTrust: matrix,
    };
  });
}

/**
 * Who viewed whose imaging. A consortium-wide caller gets the full matrix by trust; a trust's
 * caller gets two figures per trust of theirs (their imaging viewed by other trusts' staff, their
 * staff viewing other trusts' imaging), with the other trusts not named or split.
 */
async function crossTrustMatrix(tx: Tx, filter: CapacityFilter, ids: string[] | null, options: TrustRef[]) {
  const where = ids ? sql`and (source_trust_id = any(${pgArray(ids)}::uuid[]) or actor_trust_id = any(${pgArray(ids)}::uuid[]))` : sql``;
  const list = await rows<{ source: string; actor: string; n: string }>(
    tx,
    sql`select source_trust_id as source, actor_trust_id as actor, sum(view_count)::bigint as n from capacity_cross_trust_daily
         where day between ${filter.from} and ${filter.to} ${where} group by 1, 2`,
  );
  if (ids === null) {
    const trustsShown = options.map(({ odsCode, name, id }) => ({ id, odsCode, name }));
    const cell = new Map(list.map((r) => [`${r.source}|${r.actor}`, Number(r.n)]));
    return {
      kind: "matrix" as const,
      trusts: trustsShown.map(({ odsCode, name }) => ({ odsCode, name })),
      // rows: the trust whose imaging was viewed; columns: the trust whose staff viewed it.
      cells: trustsShown.map((s) => trustsShown.map((a) => (s.id === a.id ? null : (cell.get(`${s.id}|${a.id}`) ?? 0)))),
    };
  }
  const mine = new Set(ids);
  return {
    kind: "own" as const,
    rows: options
      .filter((t) => mine.has(t.id))
      .map((t) => ({
        odsCode: t.odsCode,
        name: t.name,
        viewedByOthers: list.filter((r) => r.source === t.id && !mine.has(r.actor)).reduce((s, r) => s + Number(r.n), 0),
        viewingOthers: list.filter((r) => r.actor === t.id && !mine.has(r.source)).reduce((s, r) => s + Number(r.n), 0),
      })),
  };
}

type TierUsage = {
  odsCode: string;
  name: string;
  tier: StorageTier;
  usedBytes: number | null;
  usedOn: string | null;
  quotaBytes: number | null;
  share: number | null;
  level: QuotaLevel | null;
  forecast: Forecast;
};

/** Daily totals (all modalities) per trust and tier over [from, to]. */
async function storageTotals(tx: Tx, ids: string[], from: string, to: string) {
  const list = await rows<{ trust_id: string; tier: StorageTier; day: string; bytes: string }>(
    tx,
    sql`select trust_id, tier, day::text as day, sum(bytes)::bigint as bytes from capacity_storage_daily
         where trust_id = any(${pgArray(ids)}::uuid[]) and day between ${from} and ${to} group by 1, 2, 3 order by 3`,
  );
  return list.map((r) => ({ trustId: r.trust_id, tier: r.tier, day: r.day, bytes: Number(r.bytes) }));
}

/** Used against quota per trust and tier, with the forecast of exhaustion (last 90 days of usage up to `today`). */
async function tierUsage(tx: Tx, trustList: TrustRef[], today: string): Promise<TierUsage[]> {
  if (trustList.length === 0) return [];
  const ids = trustList.map((t) => t.id);
  const quotas = await tx
    .select({ trustId: storageQuotas.trustId, tier: storageQuotas.tier, quotaBytes: storageQuotas.quotaBytes })
    .from(storageQuotas)
    .where(inArray(storageQuotas.trustId, ids));
  const recent = await storageTotals(tx, ids, addDays(today, -89), today);
  const out: TierUsage[] = [];
  for (const t of trustList) {
    for (const tier of storageTiers) {
      const series = recent.filter((r) => r.trustId === t.id && r.tier === tier);
      const last = series[series.length - 1];
      const quota = quotas.find((q) => q.trustId === t.id && q.tier === tier)?.quotaBytes ?? null;
      out.push({
        odsCode: t.odsCode,
        name: t.name,
        tier,
        usedBytes: last?.bytes ?? null,
        usedOn: last?.day ?? null,
        quotaBytes: quota,
        share: last && quota ? last.bytes / quota : null,
        level: last && quota ? quotaLevel(last.bytes, quota) : null,
        forecast: quota ? forecastExhaustion(series.map((s) => ({ day: s.day, bytes: s.bytes })), quota) : { status: "insufficient-data", points: series.length },
      });
    }
  }
  return out;
}

/** Above this many trust-and-tier series the growth chart leaves out their quota and forecast lines. */
const maxGuidedGrowthSeries = 4;

/** The storage page: used against quota, growth over the period, forecasts, consortium totals, quota requests. */
export async function getStorage(ctx: Ctx, filter: CapacityFilter, today = londonToday()) {
  const scope = capacityScope(ctx);
  return withTenant(ctx, async (tx) => {
    const options = await trustOptionsOf(tx, scope);
    const { ids, chosen } = selectTrusts(options, scope, filter.trust);
    const shown = ids ? options.filter((t) => ids.includes(t.id)) : options;
    const usage = await tierUsage(tx, shown, today);
    const growthRows = shown.length ? await storageTotals(tx, shown.map((t) => t.id), filter.from, filter.to) : [];
    const odsOf = new Map(shown.map((t) => [t.id, t.odsCode]));
    // One row per day: a column per trust and tier ("RHM online"), for the growth chart and its table.
    const growthByDay = new Map<string, Record<string, number>>();
    for (const r of growthRows) {
      const row = growthByDay.get(r.day) ?? {};
      row[`${odsOf.get(r.trustId)} ${r.tier}`] = r.bytes;
      growthByDay.set(r.day, row);
    }
    const consortiumRows = await rows<{ tier: StorageTier; day: string; bytes: string }>(
      tx,
      sql`select tier, day::text as day, bytes from capacity_consortium_storage_daily where day between ${filter.from} and ${filter.to} order by day`,
    );
    const consortiumByDay = new Map<string, Record<string, number>>();
    for (const r of consortiumRows) {
      const row = consortiumByDay.get(r.day) ?? {};
      row[r.tier] = Number(r.bytes);
      consortiumByDay.set(r.day, row);
    }
    const requests = await listQuotaRequests(tx, ctx, shown);
    // Each series' quota and forecast are drawn beside its usage while the chart stays readable.
    const growthKeys = [...new Set(growthRows.map((r) => `${odsOf.get(r.trustId)} ${r.tier}`))].sort();
    const drawsGuides = growthKeys.length <= maxGuidedGrowthSeries;
    const growth = growthWithGuides(
      growthByDay,
      growthKeys.map((key) => {
        const u = drawsGuides ? usage.find((x) => `${x.odsCode} ${x.tier}` === key) : undefined;
        return { key, quotaBytes: u?.quotaBytes ?? null, forecast: u?.forecast ?? { status: "insufficient-data" as const, points: 0 } };
      }),
      filter.from,
      filter.to,
    );
    return {
      filter,
      scopeLabel: chosen ? `${chosen.name} (${chosen.odsCode})` : ids === null ? "Whole consortium" : "Your trusts",
      isConsortiumWide: scope.all,
      trustOptions: options.map(({ odsCode, name }) => ({ odsCode, name })),
      usage,
      growthLines: growth.lines,
      growth: growth.rows,
      growthGuidesOmitted: !drawsGuides,
      consortiumGrowth: [...consortiumByDay].map(([day, v]) => ({ day, online: v.online ?? 0, archive: v.archive ?? 0 })),
      requests,
      requestableTrusts: shown.filter((t) => can(ctx, "quota.request", t.id)).map(({ odsCode, name }) => ({ odsCode, name })),
    };
  });
}

async function listQuotaRequests(tx: Tx, ctx: Ctx, shown: TrustRef[]) {
  if (shown.length === 0) return [];
  const list = await tx
    .select({
      id: quotaChangeRequests.id,
      trustId: quotaChangeRequests.trustId,
      tier: quotaChangeRequests.tier,
      currentQuotaBytes: quotaChangeRequests.currentQuotaBytes,
      requestedQuotaBytes: quotaChangeRequests.requestedQuotaBytes,
      reason: quotaChangeRequests.reason,
      status: quotaChangeRequests.status,
      requestedAt: quotaChangeRequests.requestedAt,
      requestedBy: users.name,
      decidedAt: quotaChangeRequests.decidedAt,
      decisionNote: quotaChangeRequests.decisionNote,
    })
    .from(quotaChangeRequests)
    .leftJoin(users, eq(users.id, quotaChangeRequests.requestedBy))
    .where(inArray(quotaChangeRequests.trustId, shown.map((t) => t.id)))
    .orderBy(desc(quotaChangeRequests.requestedAt))
    .limit(50);
  const odsOf = new Map(shown.map((t) => [t.id, t.odsCode]));
  return list.map(({ trustId, ...r }) => ({
    ...r,
    odsCode: odsOf.get(trustId) ?? "",
    requestedBy: r.requestedBy ?? "Someone outside your trusts",
    canDecide: r.status === "pending" && can(ctx, "quota.approve", trustId),
  }));
}

export type QuotaWarning = { odsCode: string; name: string; tier: StorageTier; usedBytes: number; quotaBytes: number; share: number; level: QuotaLevel };

/** Quotas at 80% or more of the trusts the caller may read capacity of (the overview page shows them). */
export async function getQuotaWarnings(ctx: Ctx, today = londonToday()): Promise<QuotaWarning[]> {
  const scope = trustsWhere(ctx, "capacity.read");
  if (!scope.all && scope.trustIds.length === 0) return [];
  return withTenant(ctx, async (tx) => {
    const options = await trustOptionsOf(tx, scope);
    if (options.length === 0) return [];
    const ids = options.map((t) => t.id);
    // The latest snapshot of the last two weeks per trust and tier: a bounded read at any history.
    const latest = await rows<{ trust_id: string; tier: StorageTier; bytes: string; quota: string }>(
      tx,
      sql`with totals as (
            select trust_id, tier, day, sum(bytes)::bigint as bytes from capacity_storage_daily
             where trust_id = any(${pgArray(ids)}::uuid[]) and day between ${addDays(today, -13)} and ${today} group by 1, 2, 3
          ), last as (select distinct on (trust_id, tier) trust_id, tier, bytes from totals order by trust_id, tier, day desc)
          select last.trust_id, last.tier, last.bytes, q.quota_bytes as quota
            from last join storage_quotas q on q.trust_id = last.trust_id and q.tier = last.tier`,
    );
    const byId = new Map(options.map((t) => [t.id, t]));
    return latest
      .map((r) => {
        const used = Number(r.bytes);
        const quota = Number(r.quota);
        const t = byId.get(r.trust_id);
        return { odsCode: t?.odsCode ?? "", name: t?.name ?? "", tier: r.tier, usedBytes: used, quotaBytes: quota, share: used / quota, level: quotaLevel(used, quota) };
      })
      .filter((w) => w.level !== "ok")
      .sort((a, b) => b.share - a.share);
  });
}

