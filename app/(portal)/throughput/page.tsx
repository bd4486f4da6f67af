import type { Metadata } from "next";
import { Suspense } from "react";
import { Loading } from "@/components/ui/loading";
import type { Ctx } from "@/lib/auth/context";
import { CapacityFilters } from "@/components/capacity/capacity-filters";
import { ChartFigure } from "@/components/charts/chart-figure";
import { BarChartView, LineChartView } from "@/components/charts/charts";
import { Heatmap } from "@/components/charts/heatmap";
import { PageHeader } from "@/components/ui/page-header";
import { modalityLabel } from "@/lib/labels";
import { requireContext } from "@/lib/identity/request";
import { filterQuery, parseCapacityFilter, type CapacityFilter } from "@/lib/capacity/filter";
import { getCapacityChoices, getThroughput } from "@/lib/capacity/queries";
import { weekdayNames } from "@/lib/capacity/series";
import { formatDay } from "@/lib/calendar";
import { formatPerDay, formatValue } from "@/lib/format";
import { orNotFound, pageQuery } from "@/lib/pages";

export const metadata: Metadata = { title: "Throughput" };

const hours = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0"));

export default async function ThroughputPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireContext();
  const filter = parseCapacityFilter(await pageQuery(searchParams));
  // "Not found" (another trust, another trust's site) is decided before the page starts streaming.
  const choices = await orNotFound(getCapacityChoices(ctx, filter));
  return (
    <>
      <PageHeader title="Throughput" description={`${choices.scopeLabel}${filter.modality ? ` · ${filter.modality}` : ""} · ${formatDay(filter.from)} to ${formatDay(filter.to)}`} />
      <CapacityFilters path="/throughput" filter={filter} trustOptions={choices.trustOptions} siteOptions={choices.siteOptions} />
      <Suspense key={filterQuery(filter)} fallback={<Loading label="Counting exams…" />}>
        <ThroughputFigures ctx={ctx} filter={filter} />
      </Suspense>
    </>
  );
}

const monthName = (month: number) => new Date(Date.UTC(2000, month - 1, 1)).toLocaleDateString("en-GB", { month: "long", timeZone: "UTC" });

async function ThroughputFigures({ ctx, filter }: { ctx: Ctx; filter: CapacityFilter }) {
  const v = await getThroughput(ctx, filter);
  const csv = (what: string) => `mosaic-${what}-${filterQuery(filter).replace(/[&=]/g, "_")}`;
  const days = v.daily.length;
  const compare = v.consortiumDaily !== null;
  const consortiumByDay = new Map(v.consortiumDaily?.map((d) => [d.day, d]) ?? []);
  const dailyRows = v.daily.map((d) => ({
    day: d.day,
    count: d.count,
    average7: d.average7,
    ...(compare && { consortiumAverage7: consortiumByDay.get(d.day)?.average7 ?? 0 }),
    note: d.day === v.partialDay ? "Today so far: not all in" : "",
  }));
  // Today's exams are not all in: the chart stops at yesterday rather than end in a false dip; the
  // table keeps today's count, marked as a part-day.
  const dailyChartRows = dailyRows.filter((d) => d.day !== v.partialDay);
  const partialDayNote = v.partialDay ? ` The chart ends yesterday: today's exams are not all in (the table shows today so far).` : "";
  const yoy = v.yearOverYear;
  const partMonthNote =
    yoy.partMonth && !yoy.partMonth.isComplete
      ? ` ${monthName(yoy.partMonth.month)} is not over: both years count its days 1 to ${yoy.partMonth.throughDay} only.`
      : "";
  const rr = v.runRate;
  const contractShare = rr.contracted ? rr.consortium.annualised / rr.contracted : 0;
  const consortiumMix = new Map(v.consortiumMix?.map((m) => [m.modality, m.count]) ?? []);
  const consortiumMixTotal = [...consortiumMix.values()].reduce((s, n) => s + n, 0);
  const matrix = v.crossTrust.kind === "matrix" ? v.crossTrust : null;

  return (
    <>
      <section aria-labelledby="headline" className="mb-6 grid grid-cols-1 gap-4 md:grid-cols-3">
        <h2 id="headline" className="sr-only">
          Headline figures
        </h2>
        <div className="rounded border border-line bg-white p-4">
          <p className="text-sm text-muted">Exams in the period</p>
          <p className="text-3xl font-bold" data-testid="period-total">
            {formatValue(v.total)}
          </p>
          <p className="text-sm">{formatPerDay(days ? v.total / days : 0)} on average</p>
        </div>
        <div className="rounded border border-line bg-white p-4">
          <p className="text-sm text-muted">
            Consortium run rate for {rr.asOf.slice(0, 4)} (to {formatDay(rr.asOf)}{filter.modality ? ", every modality, as contracted" : ""})
          </p>
          <p className="text-3xl font-bold">{formatValue(rr.consortium.annualised)}</p>
          <p className="text-sm">
            {formatValue(contractShare, "percent")} of the contracted {formatValue(rr.contracted)} a year ({formatValue(rr.consortium.yearToDate)} so far in {rr.consortium.daysElapsed} days)
          </p>
        </div>
        {rr.selected && (
          <div className="rounded border border-line bg-white p-4">
            <p className="text-sm text-muted">
              Run rate of {v.scopeLabel}
              {rr.selected.modality ? `, ${rr.selected.modality} only` : ""}
            </p>
            <p className="text-3xl font-bold">{formatValue(rr.selected.annualised)}</p>
            <p className="text-sm">
              {formatValue(rr.selected.shareOfConsortium, "percent")} of the consortium&apos;s {rr.selected.modality ? `${rr.selected.modality} ` : ""}run rate (
              {formatValue(rr.selected.consortium.annualised)} a year)
            </p>
          </div>
        )}
      </section>

      <div className="grid grid-cols-1 gap-6">
        <ChartFigure
          title="Exams per day"
          summary={
            compare
              ? `Each day's exams with the average of the seven days ending that day, beside the consortium's seven-day average (a total: no other trust's own figures).${partialDayNote}`
              : `Each day's exams with the average of the seven days ending that day.${partialDayNote}`
          }
          columns={[
            { key: "day", label: "Day", format: "day" },
            { key: "count", label: "Exams" },
            { key: "average7", label: "7-day average", format: "decimal" },
            ...(compare ? [{ key: "consortiumAverage7", label: "Consortium 7-day average", format: "decimal" as const }] : []),
            ...(v.partialDay ? [{ key: "note", label: "Note", format: "text" as const }] : []),
          ]}
          rows={dailyRows}
          csvName={csv("exams-per-day")}
        >
          <LineChartView
            label="Exams per day"
            data={dailyChartRows}
            xKey="day"
            xFormat="day"
            series={[
              { key: "count", label: "Exams" },
              { key: "average7", label: "7-day average", strong: true },
              ...(compare ? [{ key: "consortiumAverage7", label: "Consortium 7-day average" }] : []),
            ]}
          />
        </ChartFigure>

        <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
          <ChartFigure
            title="Exams per week"
            summary="Weeks start on Monday; the first and last weeks may be part weeks."
            columns={[
              { key: "week", label: "Week starting", format: "day" },
              { key: "count", label: "Exams" },
            ]}
            rows={v.weekly}
            csvName={csv("exams-per-week")}
          >
            <BarChartView label="Exams per week" data={v.weekly} xKey="week" xFormat="day" series={[{ key: "count", label: "Exams" }]} />
          </ChartFigure>
          <ChartFigure
            title="Exams per month"
            columns={[
              { key: "month", label: "Month", format: "text" },
              { key: "count", label: "Exams" },
            ]}
            rows={v.monthly}
            csvName={csv("exams-per-month")}
          >
            <BarChartView label="Exams per month" data={v.monthly} xKey="month" series={[{ key: "count", label: "Exams" }]} />
          </ChartFigure>
        </div>

        <ChartFigure
          title={`${v.yearOverYear.year} against ${v.yearOverYear.year - 1}`}
          summary={`Exams per calendar month, this year beside last year, up to yesterday.${partMonthNote}`}
          columns={[
            { key: "month", label: "Month", format: "text" },
            { key: "thisYear", label: String(v.yearOverYear.year) },
            { key: "lastYear", label: String(v.yearOverYear.year - 1) },
          ]}
          rows={v.yearOverYear.months}
          csvName={csv("year-on-year")}
        >
          <BarChartView
            label="This year against last year"
            data={v.yearOverYear.months}
            xKey="month"
            series={[
              { key: "thisYear", label: String(v.yearOverYear.year) },
              { key: "lastYear", label: String(v.yearOverYear.year - 1) },
            ]}
          />
        </ChartFigure>

        <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
          <ChartFigure
            title="Modality mix"
            summary={compare ? "Share of the period's exams by modality, beside the consortium's share." : "Share of the period's exams by modality."}
            columns={[
              { key: "modality", label: "Modality", format: "text" },
              { key: "name", label: "Name", format: "text" },
              { key: "count", label: "Exams" },
              { key: "share", label: "Share", format: "percent" },
              { key: "bytes", label: "Stored", format: "bytes" },
              ...(compare ? [{ key: "consortiumShare", label: "Consortium share", format: "percent" as const }] : []),
            ]}
            rows={v.modalityMix.map((m) => ({
              ...m,
              name: modalityLabel(m.modality),
              ...(compare && { consortiumShare: consortiumMixTotal ? (consortiumMix.get(m.modality) ?? 0) / consortiumMixTotal : 0 }),
            }))}
            csvName={csv("modality-mix")}
          >
            <BarChartView
              label="Modality mix"
              horizontal
              data={v.modalityMix}
              xKey="modality"
              yFormat="int"
              series={[{ key: "count", label: "Exams" }]}
            />
          </ChartFigure>

          <ChartFigure
            title="Run rate against the contract"
            summary={`The consortium's exams so far this year, scaled to the whole year, against the ${formatValue(rr.contracted)} exams a year it is contracted for.`}
            columns={[
              { key: "what", label: "Figure", format: "text" },
              { key: "exams", label: "Exams a year" },
            ]}
            rows={[
              { what: "Contracted", exams: rr.contracted },
              { what: "Consortium run rate", exams: rr.consortium.annualised },
              ...(rr.selected ? [{ what: `${v.scopeLabel} run rate`, exams: rr.selected.annualised }] : []),
            ]}
            csvName={csv("run-rate")}
          >
            <BarChartView
              label="Run rate against the contract"
              data={[
                { what: "Contracted", exams: rr.contracted },
                { what: "Consortium run rate", exams: rr.consortium.annualised },
                ...(rr.selected ? [{ what: "Selected run rate", exams: rr.selected.annualised }] : []),
              ]}
              xKey="what"
              series={[{ key: "exams", label: "Exams a year" }]}
            />
          </ChartFigure>
        </div>

        <ChartFigure
          title="When exams happen"
          summary="Exams by weekday and hour (UK time) over the period. Each cell shows its count; darker cells are busier."
          columns={[{ key: "weekday", label: "Weekday", format: "text" }, ...hours.map((h) => ({ key: h, label: `${h}:00` }))]}
          rows={v.heatmap.map((row, i) => ({ weekday: weekdayNames[i], ...Object.fromEntries(row.map((n, h) => [hours[h], n])) }))}
          csvName={csv("weekday-hour")}
          plain
        >
          <Heatmap caption="Exams by weekday and hour" rowHeader="Weekday" rowLabels={weekdayNames.map((d) => d.slice(0, 3))} columnLabels={hours} values={v.heatmap} />
        </ChartFigure>

        {matrix ? (
          <ChartFigure
            title="Cross-trust viewing"
            summary="Studies viewed by staff of one trust (columns) that another trust (rows) produced, over the period, from the audit trail."
            columns={[
              { key: "source", label: "Imaging of \\ viewed by", format: "text" },
              ...matrix.trusts.map((t) => ({ key: t.odsCode, label: t.odsCode })),
            ]}
            rows={matrix.trusts.map((t, i) => ({
              source: t.odsCode,
              ...Object.fromEntries(matrix.trusts.map((a, j) => [a.odsCode, matrix.cells[i]?.[j] ?? null])),
            }))}
            csvName={csv("cross-trust-views")}
            tableOpen
          />
        ) : (
          <ChartFigure
            title="Cross-trust viewing"
            summary="Studies of your trust viewed by other trusts' staff, and your staff's views of other trusts' studies, over the period (other trusts are not split out)."
            columns={[
              { key: "odsCode", label: "Trust", format: "text" },
              { key: "viewedByOthers", label: "Your imaging viewed by other trusts" },
              { key: "viewingOthers", label: "Your staff viewing other trusts' imaging" },
            ]}
            rows={v.crossTrust.kind === "own" ? v.crossTrust.rows : []}
            csvName={csv("cross-trust-views")}
            tableOpen
          />
        )}
      </div>
    </>
  );
}
