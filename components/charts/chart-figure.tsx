"use client";
import { useId, useState, useSyncExternalStore, type ReactNode } from "react";
import { toCsv } from "@/lib/csv";
import { formatValue, type NumberFormat } from "@/lib/format";

const subscribeNever = () => () => {};

export type Column = { key: string; label: string; format?: NumberFormat };
export type Row = Record<string, string | number | null | undefined>;

/**
 * One chart with what makes it usable by everyone: a heading, a summary in words, the numbers as a
 * table, and a CSV download of exactly those numbers. The chart itself draws after hydration (it
 * measures its box), with a loading state until then.
 */
export function ChartFigure({
  title,
  summary,
  columns,
  rows,
  csvName,
  children,
  tableOpen = false,
  plain = false,
}: {
  title: string;
  summary?: ReactNode;
  columns: readonly Column[];
  rows: readonly Row[];
  csvName: string;
  children?: ReactNode;
  tableOpen?: boolean;
  /** The children are HTML that needs no measuring (a heatmap table): render them at once. */
  plain?: boolean;
}) {
  const headingId = useId();
  // False in the server render and during hydration, true once the browser has the page.
  const mounted = useSyncExternalStore(subscribeNever, () => true, () => false);
  // The table of the numbers is drawn when it is opened: a closed table of a year of days was most
  // of the HTML each chart sent (the numbers themselves come once, with the chart's data).
  const [tableShown, setTableShown] = useState(tableOpen);

  function download() {
    const csv = toCsv(
      columns.map((c) => c.label),
      rows.map((r) => columns.map((c) => r[c.key] ?? "")),
    );
    const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `${csvName}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  return (
    <section aria-labelledby={headingId} className="rounded border border-line bg-white p-5">
      <div className="mb-2 flex flex-wrap items-start justify-between gap-2">
        <h2 id={headingId} className="text-lg font-bold">
          {title}
        </h2>
        <button
          type="button"
          onClick={download}
          disabled={!mounted}
          className="rounded border border-brand bg-white px-3 py-1 text-sm font-semibold text-brand hover:bg-canvas no-print"
        >
          Download CSV<span className="sr-only"> of {title}</span>
        </button>
      </div>
      {summary && <div className="mb-3 text-sm text-muted">{summary}</div>}
      {children && plain && <div className="overflow-x-auto">{children}</div>}
      {children &&
        !plain &&
        (mounted ? (
          <div className="h-72 w-full">{children}</div>
        ) : (
          <div role="status" className="flex h-72 items-center justify-center text-muted">
            Loading chart…
          </div>
        ))}
      <details className="mt-3" open={tableOpen || undefined} onToggle={(e) => e.currentTarget.open && setTableShown(true)}>
        <summary className="cursor-pointer font-semibold text-brand">Table of the numbers</summary>
        {tableShown && (
          <div className="mt-2 max-h-96 overflow-auto">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">{title}</caption>
              <thead className="sticky top-0 bg-canvas">
                <tr>
                  {columns.map((c, i) => (
                    <th key={c.key} scope="col" className={`px-3 py-1.5 ${i > 0 ? "text-right" : ""}`}>
                      {c.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((r, ri) => (
                  <tr key={ri} className="border-b border-line last:border-0">
                    {columns.map((c, i) =>
                      i === 0 ? (
                        <th key={c.key} scope="row" className="px-3 py-1 font-normal">
                          {formatValue(r[c.key], c.format)}
                        </th>
                      ) : (
                        <td key={c.key} className="px-3 py-1 text-right tabular-nums">
                          {formatValue(r[c.key], c.format)}
                        </td>
                      ),
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </details>
    </section>
  );
}
