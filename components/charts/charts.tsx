"use client";
// Recharts wrapped once: every chart of the portal is one of these, with the same axes, grid,
// tooltip, legend and colours. Keyboard users reach the data points through Recharts'
// accessibility layer (arrow keys move the tooltip); the figure's table has every number too.
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatValue, type NumberFormat } from "@/lib/format";
import type { Row } from "./chart-figure";
import { axisProps, gridProps, seriesColour, seriesDash } from "./theme";

type Series = { key: string; label: string; strong?: boolean };

type Common = { data: readonly Row[]; xKey: string; series: readonly Series[]; yFormat?: NumberFormat; xFormat?: NumberFormat; label: string };

const tooltipStyle = { border: "1px solid var(--color-line)", borderRadius: 4 } as const;

function axisFormat(format: NumberFormat | undefined) {
  return (v: unknown) => (format === "day" ? formatValue(v, "day").replace(/ \d{4}$/, "") : formatValue(v, format));
}

/** Lines over an ordered x axis (days, weeks). Each line differs by dash pattern as well as colour. */
export function LineChartView({ data, xKey, series, yFormat = "int", xFormat = "text", label }: Common) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={data as Row[]} accessibilityLayer title={label} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid {...gridProps} />
        <XAxis dataKey={xKey} {...axisProps} tickFormatter={axisFormat(xFormat)} minTickGap={24} />
        <YAxis {...axisProps} tickFormatter={axisFormat(yFormat === "bytes" ? "bytes" : yFormat)} width={72} />
        <Tooltip
          contentStyle={tooltipStyle}
          labelFormatter={(v) => formatValue(v, xFormat)}
          formatter={(value, name) => [formatValue(value, yFormat), name]}
        />
        <Legend />
        {series.map((s, i) => (
          <Line
            key={s.key}
            type="monotone"
            dataKey={s.key}
            name={s.label}
            stroke={seriesColour(i)}
            strokeDasharray={seriesDash(i)}
            strokeWidth={s.strong ? 3 : 1.5}
            dot={false}
            isAnimationActive={false}
            connectNulls
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}

/** Bars per category; several series side by side (or horizontal bars with `horizontal`). */
export function BarChartView({ data, xKey, series, yFormat = "int", xFormat = "text", label, horizontal = false }: Common & { horizontal?: boolean }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart
        data={data as Row[]}
        accessibilityLayer
        title={label}
        layout={horizontal ? "vertical" : "horizontal"}
        margin={{ top: 8, right: 16, bottom: 8, left: 8 }}
      >
        <CartesianGrid {...gridProps} />
        {horizontal ? (
          <>
            <XAxis type="number" {...axisProps} tickFormatter={axisFormat(yFormat)} />
            <YAxis type="category" dataKey={xKey} {...axisProps} width={56} tickFormatter={axisFormat(xFormat)} />
          </>
        ) : (
          <>
            <XAxis dataKey={xKey} {...axisProps} tickFormatter={axisFormat(xFormat)} minTickGap={12} />
            <YAxis {...axisProps} tickFormatter={axisFormat(yFormat)} width={72} />
          </>
        )}
        <Tooltip
          contentStyle={tooltipStyle}
          labelFormatter={(v) => formatValue(v, xFormat)}
          formatter={(value, name) => [formatValue(value, yFormat), name]}
        />
        {series.length > 1 && <Legend />}
        {series.map((s, i) => (
          <Bar key={s.key} dataKey={s.key} name={s.label} fill={seriesColour(i)} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
