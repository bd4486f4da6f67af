import { formatValue } from "@/lib/format";

/**
 * A grid of counts (rows by columns) shaded by size. The number is printed in every cell, so the
 * shading only repeats what the text says.
 */
export function Heatmap({
  caption,
  rowLabels,
  columnLabels,
  values,
  rowHeader,
}: {
  caption: string;
  rowLabels: readonly string[];
  columnLabels: readonly string[];
  values: readonly (readonly number[])[];
  rowHeader: string;
}) {
  const max = Math.max(1, ...values.flat());
  // Shading is the share of the busiest cell.
  return (
    <table className="w-full border-separate border-spacing-0.5 text-xs">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col" className="px-1 text-left">
            {rowHeader}
          </th>
          {columnLabels.map((c) => (
            <th key={c} scope="col" className="px-0.5 font-normal text-muted">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {values.map((row, ri) => (
          <tr key={rowLabels[ri]}>
            <th scope="row" className="px-1 text-left font-semibold">
              {rowLabels[ri]}
            </th>
            {row.map((v, ci) => {
              const share = v / max;
              return (
                <td
                  key={ci}
                  className="min-w-8 rounded-sm px-0.5 py-1.5 text-center tabular-nums"
                  // At most 55% of the series colour, so dark text keeps a contrast above 4.5:1 in every cell.
                  style={{ background: `color-mix(in srgb, var(--chart-1) ${Math.round(share * 55)}%, white)`, color: "var(--color-ink)" }}
                >
                  {formatValue(v, "int")}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
