import type { Metadata } from "next";
import { Suspense } from "react";
import { Loading } from "@/components/ui/loading";
import type { Ctx } from "@/lib/auth/context";
import { CapacityFilters } from "@/components/capacity/capacity-filters";
import { QuotaDecisionForm, QuotaRequestForm } from "@/components/capacity/quota-forms";
import { ChartFigure } from "@/components/charts/chart-figure";
import { BarChartView, LineChartView } from "@/components/charts/charts";
import { Badge } from "@/components/ui/badge";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Tooltip } from "@/components/ui/tooltip";
import { requireContext } from "@/lib/identity/request";
import { filterQuery, parseCapacityFilter, type CapacityFilter } from "@/lib/capacity/filter";
import { forecastMethod, type Forecast } from "@/lib/capacity/forecast";
import { getCapacityChoices, getStorage } from "@/lib/capacity/queries";
import { quotaLevelLabel, type QuotaLevel } from "@/lib/capacity/quota";
import { formatDate, formatDay } from "@/lib/calendar";
import { formatBytes, formatUsageWithoutLevel, formatUsedOfQuota } from "@/lib/format";
import { forecastStatusLabel, quotaRequestStatusLabel } from "@/lib/labels";
import { orNotFound, pageQuery } from "@/lib/pages";
import { decideQuotaAction, requestQuotaAction } from "./actions";

export const metadata: Metadata = { title: "Storage" };

const levelTone = { ok: "success", warning: "warning", critical: "danger" } as const;

function ForecastText({ forecast }: { forecast: Forecast }) {
  switch (forecast.status) {
    case "insufficient-data":
      return <>Not enough recent usage to forecast ({forecast.points} days; 14 needed).</>;
    case "exhausted":
      return <>Quota reached.</>;
    case "not-growing":
      return <>Not growing: no exhaustion in sight.</>;
    case "projected":
      return (
        <>
          <strong>{formatDay(forecast.exhaustionDay ?? "")}</strong>
          <br />
          <span className="text-sm">
            likely between {formatDay(forecast.earliestDay ?? "")} and {forecast.latestDay ? formatDay(forecast.latestDay) : "no date (growth may stop)"}; growing{" "}
            {formatBytes(forecast.slopeBytesPerDay)} a day
          </span>
        </>
      );
  }
}

export default async function StoragePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireContext();
  const filter = parseCapacityFilter(await pageQuery(searchParams));
  // "Not found" (another trust, another trust's site) is decided before the page starts streaming.
  const choices = await orNotFound(getCapacityChoices(ctx, filter));
  return (
    <>
      <PageHeader title="Storage" description={`${choices.scopeLabel} · ${formatDay(filter.from)} to ${formatDay(filter.to)}`} />
      <CapacityFilters path="/storage" filter={filter} trustOptions={choices.trustOptions} showModality={false} />
      <Suspense key={filterQuery(filter)} fallback={<Loading label="Reading storage and forecasts…" />}>
        <StorageFigures ctx={ctx} filter={filter} />
      </Suspense>
    </>
  );
}

async function StorageFigures({ ctx, filter }: { ctx: Ctx; filter: CapacityFilter }) {
  const v = await getStorage(ctx, filter);
  const csv = (what: string) => `mosaic-${what}-${filterQuery(filter).replace(/[&=]/g, "_")}`;
  const pending = v.requests.filter((r) => r.status === "pending");

  return (
    <>

      <div className="grid grid-cols-1 gap-6">
        <ChartFigure
          title="Used against quota"
          summary={
            <>
              The latest reported usage of each trust and tier against its quota, with the date the quota is forecast to run out.
              <Tooltip label="How the forecast is made">{forecastMethod}</Tooltip>
            </>
          }
          columns={[
            { key: "trust", label: "Trust", format: "text" },
            { key: "tier", label: "Tier", format: "text" },
            { key: "used", label: "Used (bytes)", format: "bytes" },
            { key: "quota", label: "Quota (bytes)", format: "bytes" },
            { key: "share", label: "Share used", format: "percent" },
            { key: "status", label: "Status", format: "text" },
            { key: "exhaustion", label: "Forecast exhaustion", format: "text" },
            { key: "earliest", label: "Earliest", format: "text" },
            { key: "latest", label: "Latest", format: "text" },
          ]}
          rows={v.usage.map((u) => ({
            trust: u.odsCode,
            tier: u.tier,
            used: u.usedBytes,
            quota: u.quotaBytes,
            share: u.share,
            status: u.level ? quotaLevelLabel[u.level] : formatUsageWithoutLevel(u.usedBytes, u.quotaBytes),
            exhaustion: u.forecast.status === "projected" || u.forecast.status === "exhausted" ? u.forecast.exhaustionDay : forecastStatusLabel(u.forecast.status),
            earliest: u.forecast.status === "projected" ? u.forecast.earliestDay : null,
            latest: u.forecast.status === "projected" ? (u.forecast.latestDay ?? "open-ended") : null,
          }))}
          csvName={csv("storage-quotas")}
        >
          <BarChartView
            label="Used against quota"
            data={v.usage.map((u) => ({ what: `${u.odsCode} ${u.tier}`, used: u.usedBytes ?? 0, quota: u.quotaBytes ?? 0 }))}
            xKey="what"
            yFormat="bytes"
            series={[
              { key: "used", label: "Used" },
              { key: "quota", label: "Quota" },
            ]}
          />
        </ChartFigure>

        <div className="grid gap-4 md:grid-cols-2">
          {v.usage.map((u) => (
            <article key={`${u.odsCode}-${u.tier}`} className="rounded border border-line bg-white p-4" aria-label={`${u.odsCode} ${u.tier}`}>
              <h3 className="font-bold">
                {u.odsCode} · {u.tier === "online" ? "Online" : "Archive"}
              </h3>
              <p className="text-sm text-muted">{u.name}</p>
              {u.usedBytes !== null && u.quotaBytes ? (
                <>
                  <p className="mt-2">
                    {formatUsedOfQuota(u.usedBytes, u.quotaBytes)} on {formatDay(u.usedOn ?? "")}
                  </p>
                  <div
                    className="mt-2 h-3 w-full rounded bg-canvas"
                    role="meter"
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-valuenow={Math.round((u.share ?? 0) * 100)}
                    aria-label={`${u.odsCode} ${u.tier} share of quota used`}
                  >
                    <div
                      className="h-3 rounded"
                      style={{
                        width: `${Math.min(100, (u.share ?? 0) * 100)}%`,
                        background: u.level === "critical" ? "var(--color-danger)" : u.level === "warning" ? "var(--color-warning)" : "var(--color-success)",
                      }}
                    />
                  </div>
                  <p className="mt-2">
                    <Badge tone={levelTone[u.level as QuotaLevel]}>{quotaLevelLabel[u.level as QuotaLevel]}</Badge>
                  </p>
                  <p className="mt-2">
                    Runs out: <ForecastText forecast={u.forecast} />
                  </p>
                </>
              ) : (
                <p className="mt-2">{formatUsageWithoutLevel(u.usedBytes, u.quotaBytes)}.</p>
              )}
            </article>
          ))}
        </div>

        <ChartFigure
          title="Growth"
          summary={
            v.growthGuidesOmitted
              ? "Storage held each day by trust and tier, over the period. Choose a trust to see its quota and forecast lines."
              : "Storage held each day by trust and tier, over the period, with each quota as a level line and the forecast: the fitted straight line extended until it meets the quota (at most a year on)."
          }
          columns={[{ key: "day", label: "Day", format: "day" }, ...v.growthLines.map((l) => ({ key: l.key, label: l.label, format: "bytes" as const }))]}
          rows={v.growth}
          csvName={csv("storage-growth")}
        >
          <LineChartView label="Storage growth" data={v.growth} xKey="day" xFormat="day" yFormat="bytes" series={v.growthLines.map((l) => ({ key: l.key, label: l.label, strong: l.kind === "used" }))} />
        </ChartFigure>

        {!v.isConsortiumWide || filter.trust ? (
          <ChartFigure
            title="Consortium storage"
            summary="The whole consortium's storage each day by tier (totals only), for comparison."
            columns={[
              { key: "day", label: "Day", format: "day" },
              { key: "online", label: "Online", format: "bytes" },
              { key: "archive", label: "Archive", format: "bytes" },
            ]}
            rows={v.consortiumGrowth}
            csvName={csv("consortium-storage")}
          >
            <LineChartView
              label="Consortium storage"
              data={v.consortiumGrowth}
              xKey="day"
              xFormat="day"
              yFormat="bytes"
              series={[
                { key: "online", label: "Online" },
                { key: "archive", label: "Archive" },
              ]}
            />
          </ChartFigure>
        ) : null}

        <section aria-labelledby="requests-heading" className="min-w-0 rounded border border-line bg-white p-5">
          <h2 id="requests-heading" className="mb-3 text-lg font-bold">
            Quota change requests
          </h2>
          <DataTable
            caption={`Quota change requests (${pending.length} pending)`}
            rows={v.requests}
            rowKey={(r) => r.id}
            empty={<EmptyState title="No quota change requests">A PACS manager can request a change below.</EmptyState>}
            columns={[
              {
                header: "Requested",
                cell: (r) => (
                  <>
                    {formatDate(r.requestedAt)}
                    <br />
                    <span className="text-muted">{r.requestedBy}</span>
                  </>
                ),
              },
              { header: "Trust and tier", rowHeader: true, cell: (r) => `${r.odsCode} ${r.tier}` },
              { header: "Current", numeric: true, cell: (r) => (r.currentQuotaBytes ? formatBytes(r.currentQuotaBytes) : "none") },
              { header: "Requested quota", numeric: true, cell: (r) => formatBytes(r.requestedQuotaBytes) },
              { header: "Reason", className: "max-w-xs", cell: (r) => r.reason },
              {
                header: "Status",
                cell: (r) => (
                  <>
                    <Badge tone={r.status === "approved" ? "success" : r.status === "declined" ? "danger" : "warning"}>{quotaRequestStatusLabel(r.status)}</Badge>
                    {r.decisionNote && <p className="mt-1 text-muted">{r.decisionNote}</p>}
                  </>
                ),
              },
              {
                header: "Decision",
                cell: (r) =>
                  r.canDecide ? (
                    <QuotaDecisionForm action={decideQuotaAction} requestId={r.id} label={`${r.odsCode} ${r.tier} request`} />
                  ) : r.status === "pending" ? (
                    <span className="text-muted">Awaiting a CIO</span>
                  ) : (
                    <span className="text-muted">{r.decidedAt ? formatDate(r.decidedAt) : ""}</span>
                  ),
              },
            ]}
          />
          {v.requestableTrusts.length > 0 && (
            <div className="mt-6">
              <h3 className="mb-3 font-bold">Request a quota change</h3>
              <QuotaRequestForm action={requestQuotaAction} trusts={v.requestableTrusts} />
            </div>
          )}
        </section>
      </div>
    </>
  );
}
