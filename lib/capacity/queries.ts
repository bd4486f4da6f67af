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
import { buildThroughputView, throughputDays, type ThroughputReads, type ThroughputView } from "./throughput-view";
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

/** The throughput dashboard's figures. Reads rollups only, so its cost follows the period, not the history. */
export async function getThroughput(ctx: Ctx, filter: CapacityFilter, today = londonToday()): Promise<ThroughputView> {
  return buildThroughputView(await readThroughput(ctx, filter, today));
}

/** The rollup figures of the throughput dashboard, for the caller's selection (buildThroughputView shapes them). */
async function readThroughput(ctx: Ctx, filter: CapacityFilter, today: string): Promise<ThroughputReads> {
  const scope = capacityScope(ctx);
  return withTenant(ctx, async (tx) => {
    const { options, ids, siteOptions, siteId, scopeLabel } = await resolveSelection(tx, scope, filter);
    const [c] = await tx.select({ contracted: consortium.contractedAnnualExams }).from(consortium).limit(1);
    const { padFrom, asOf, year } = throughputDays(filter, today);

    // The whole consortium with no site chosen reads the consortium rollup; anything narrower the
    // per-trust rollup, always with the trusts in the where clause (row-level security agrees).
    const isWholeConsortium = ids === null && siteId === null;
    const mod = filter.modality ? sql`and modality = ${filter.modality}` : sql``;
    // The trusts are always named (every trust for a consortium-wide caller): reads of the per-trust
    // rollups go by (trust, day) through their key, the same path at any length of history.
    const narrow = sql`and trust_id = any(${pgArray(ids ?? options.map((t) => t.id))}::uuid[]) ${siteId ? sql`and site_id = ${siteId}` : sql``} ${mod}`;
    const dailyOf = (totals: boolean) =>
      totals
        ? sql`select day::text as day, modality, sum(exam_count)::bigint as count, sum(size_bytes)::bigint as bytes
                from capacity_consortium_exams_daily where day between ${padFrom} and ${filter.to} ${mod} group by day, modality`
        : sql`select day::text as day, modality, sum(exam_count)::bigint as count, sum(size_bytes)::bigint as bytes
                from capacity_exams_daily where day between ${padFrom} and ${filter.to} ${narrow} group by day, modality`;
    const dayModalityCounts = async (totals: boolean) =>
      (await rows<{ day: string; modality: string; count: string; bytes: string }>(tx, dailyOf(totals))).map((r) => ({ day: r.day, modality: r.modality, count: Number(r.count), bytes: Number(r.bytes) }));

    const yearDays = await rows<{ day: string; count: string }>(
      tx,
      isWholeConsortium
        ? sql`select day::text as day, sum(exam_count)::bigint as count from capacity_consortium_exams_daily
               where day between ${`${year - 1}-01-01`} and ${`${year}-12-31`} ${mod} group by 1`
        : sql`select day::text as day, sum(exam_count)::bigint as count from capacity_exams_daily
               where day between ${`${year - 1}-01-01`} and ${`${year}-12-31`} ${narrow} group by 1`,
    );

    // From the daily rollup's 24 hour counts: one row a day, so the cost follows the period.
    const heat = await rows<{ dow: number; hour: number; count: string }>(
      tx,
      sql`select extract(isodow from day)::int as dow, (h.i - 1)::int as hour, sum(h.n)::bigint as count
            from capacity_exams_daily, unnest(hour_counts) with ordinality as h(n, i)
           where day between ${filter.from} and ${filter.to} ${narrow}
           group by 1, 2`,
    );

    // The year so far, up to the last complete day: the consortium's by modality (the contract is
    // every modality's; the comparison takes the filter's), and the selection's.
    const yearStart = `${asOf.slice(0, 4)}-01-01`;
    const ytdConsortium = await rows<{ modality: string; count: string }>(
      tx,
      sql`select modality, sum(exam_count)::bigint as count from capacity_consortium_exams_daily where day between ${yearStart} and ${asOf} group by 1`,
    );
    const [ytdSelected] = isWholeConsortium
      ? []
      : await rows<{ n: string | null }>(tx, sql`select sum(exam_count)::bigint as n from capacity_exams_daily where day between ${yearStart} and ${asOf} ${narrow}`);

    const where = ids ? sql`and (source_trust_id = any(${pgArray(ids)}::uuid[]) or actor_trust_id = any(${pgArray(ids)}::uuid[]))` : sql``;
    const crossTrustViews = await rows<{ source: string; actor: string; n: string }>(
      tx,
      sql`select source_trust_id as source, actor_trust_id as actor, sum(view_count)::bigint as n from capacity_cross_trust_daily
           where day between ${filter.from} and ${filter.to} ${where} group by 1, 2`,
    );

    return {
      filter,
      today,
      scopeLabel,
      isConsortiumWide: scope.all,
      trusts: options,
      trustIds: ids,
      siteOptions: siteOptions.map(({ code, name }) => ({ code, name })),
      isWholeConsortium,
      contractedAnnualExams: c?.contracted ?? 0,
      daily: await dayModalityCounts(isWholeConsortium),
      consortiumDaily: isWholeConsortium ? null : await dayModalityCounts(true),
      yearDays: yearDays.map((r) => ({ day: r.day, count: Number(r.count) })),
      heat: heat.map((h) => ({ isoDow: Number(h.dow), hour: Number(h.hour), count: Number(h.count) })),
      yearToDate: { consortium: ytdConsortium.map((r) => ({ modality: r.modality, count: Number(r.count) })), selected: ytdSelected ? Number(ytdSelected.n ?? 0) : null },
      crossTrustViews: crossTrustViews.map((r) => ({ source: r.source, actor: r.actor, count: Number(r.n) })),
    };
  });
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

