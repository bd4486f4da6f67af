import type { Metadata } from "next";
import { ChartFigure } from "@/components/charts/chart-figure";
import { BarChartView } from "@/components/charts/charts";
import { Badge } from "@/components/ui/badge";
import { DataTable } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { PrintButton } from "@/components/ui/print-button";
import { requireContext } from "@/lib/identity/request";
import { formatDay } from "@/lib/calendar";
import { getBoardSummary } from "@/lib/capacity/summary";
import type { RunwayRow } from "@/lib/capacity/summary-view";
import { quotaLevelLabel } from "@/lib/capacity/quota";
import { formatBytes, formatPercent, formatUsageWithoutLevel, formatValue, plural } from "@/lib/format";
import { forecastStatusLabel, storageTierLabel } from "@/lib/labels";
import { orNotFound } from "@/lib/pages";

export const metadata: Metadata = { title: "Capacity summary for the board" };

function runsOut(r: RunwayRow): string {
  if (r.status === "no-quota") return "No quota set";
  if (r.exhaustionDay && r.runwayDays !== null) return r.runwayDays === 0 ? `Full (${formatDay(r.exhaustionDay)})` : `${formatDay(r.exhaustionDay)} (${plural(r.runwayDays, "day")})`;
  return forecastStatusLabel(r.status);
}

/**
 * The CIO's one page for a board: run rate against the contract, growth on last year, storage
 * runway per trust and tier. Printable: the portal's header, the buttons and the chart loaders stay
 * off paper, and each block keeps to one page.
 */
export default async function BoardSummaryPage() {
  const ctx = await requireContext();
  const s = await orNotFound(getBoardSummary(ctx));
  const rr = s.runRate;
  const g = s.growth;
  return (
    <div className="board-summary">
      <PageHeader
        title="Capacity summary for the board"
        description={`${s.scopeLabel} · exams to ${formatDay(rr.asOf)} · storage as last reported`}
        actions={
          <span className="no-print">
            <PrintButton label="Print this summary" />
          </span>
        }
      />
      <section aria-labelledby="board-headline" className="mb-6 grid gap-4 md:grid-cols-3 print:grid-cols-3">
        <h2 id="board-headline" className="sr-only">
          Headline figures
        </h2>
        <div className="rounded border border-line bg-white p-4 break-inside-avoid">
          <p className="text-sm text-muted">Consortium run rate for {rr.asOf.slice(0, 4)}</p>
          <p className="text-3xl font-bold" data-testid="board-run-rate">
            {formatValue(rr.annualised)} exams a year
          </p>
          <p className="text-sm">
            {formatPercent(rr.shareOfContract)} of the contracted {formatValue(rr.contracted)};{" "}
            {rr.headroom >= 0 ? `${formatValue(rr.headroom)} a year of headroom` : `${formatValue(-rr.headroom)} a year over the contract`} ({formatValue(rr.yearToDate)} in{" "}
            {plural(rr.daysElapsed, "day")} so far).
          </p>
        </div>
        <div className="rounded border border-line bg-white p-4 break-inside-avoid">
          <p className="text-sm text-muted">Growth on {g.year - 1}, same months</p>
          <p className="text-3xl font-bold">{g.change === null ? "No figure" : `${g.change >= 0 ? "+" : "−"}${formatPercent(Math.abs(g.change))}`}</p>
          <p className="text-sm">
            {formatValue(g.thisYearToDate)} exams this year against {formatValue(g.lastYearSameMonths)} in the same months of {g.year - 1}
            {g.change === null ? " (no exams last year to compare with)" : ""}.
          </p>
        </div>
        <div className="rounded border border-line bg-white p-4 break-inside-avoid">
          <p className="text-sm text-muted">Storage quotas forecast to run out within a year</p>
          <p className="text-3xl font-bold">{s.atRisk.length}</p>
          <p className="text-sm">
            {s.atRisk.length === 0
              ? "No trust's quota is forecast to run out in the next year."
              : s.atRisk
                  .slice(0, 3)
                  .map((r) => `${r.odsCode} ${storageTierLabel(r.tier)} ${r.runwayDays === 0 ? "is full" : `in ${plural(r.runwayDays ?? 0, "day")}`}`)
                  .join("; ")}
          </p>
        </div>
      </section>

      <section aria-labelledby="board-runway" className="mb-6 rounded border border-line bg-white p-5 break-inside-avoid">
        <h2 id="board-runway" className="mb-2 text-lg font-bold">
          Storage runway per trust and tier
        </h2>
        <p className="mb-3 text-sm text-muted">
          The latest reported usage against each quota, the growth of the last 90 days as a yearly rate, and the day the quota is forecast to run out at that rate.
        </p>
        <DataTable
          caption="Storage runway per trust and tier, as last reported"
          rows={s.runway}
          rowKey={(r) => `${r.odsCode}-${r.tier}`}
          columns={[
            {
              header: "Trust",
              rowHeader: true,
              cell: (r) => (
                <>
                  {r.name} <span className="font-mono">({r.odsCode})</span>
                </>
              ),
            },
            { header: "Tier", cell: (r) => storageTierLabel(r.tier) },
            { header: "Used of quota", cell: (r) => formatUsageWithoutLevel(r.usedBytes, r.quotaBytes) },
            {
              header: "Level",
              cell: (r) => (r.level ? <Badge tone={r.level === "critical" ? "danger" : r.level === "warning" ? "warning" : "success"}>{quotaLevelLabel[r.level]}</Badge> : "—"),
            },
            { header: "Growth a year", numeric: true, cell: (r) => (r.growthBytesPerYear === null ? "Not enough data" : formatBytes(r.growthBytesPerYear)) },
            { header: "Runs out", cell: (r) => runsOut(r) },
          ]}
        />
      </section>

      <div className="grid gap-6 lg:grid-cols-2 print:grid-cols-2">
        <ChartFigure
          title={`Exams per month, ${g.year} against ${g.year - 1}`}
          summary="This year's months beside the same months of last year, up to yesterday; a month under way counts the same days in both years."
          columns={[
            { key: "month", label: "Month", format: "text" },
            { key: "thisYear", label: String(g.year) },
            { key: "lastYear", label: String(g.year - 1) },
          ]}
          rows={g.months}
          csvName={`mosaic-board-exams-${rr.asOf}`}
        >
          <BarChartView
            label={`Exams per month, ${g.year} against ${g.year - 1}`}
            data={g.months}
            xKey="month"
            series={[
              { key: "thisYear", label: String(g.year) },
              { key: "lastYear", label: String(g.year - 1) },
            ]}
          />
        </ChartFigure>
        <ChartFigure
          title="Share of each storage quota used"
          summary="The latest reported usage of each trust and tier as a share of its quota (tiers without a quota are left out)."
          columns={[
            { key: "series", label: "Trust and tier", format: "text" },
            { key: "share", label: "Share used", format: "percent" },
          ]}
          rows={s.runway.filter((r) => r.share !== null).map((r) => ({ series: `${r.odsCode} ${storageTierLabel(r.tier)}`, share: r.share }))}
          csvName={`mosaic-board-storage-${rr.asOf}`}
        >
          <BarChartView
            label="Share of each storage quota used"
            data={s.runway.filter((r) => r.share !== null).map((r) => ({ series: `${r.odsCode} ${storageTierLabel(r.tier)}`, share: r.share }))}
            xKey="series"
            yFormat="percent"
            series={[{ key: "share", label: "Share used" }]}
          />
        </ChartFigure>
      </div>
    </div>
  );
}
