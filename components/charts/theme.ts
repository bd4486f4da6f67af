// Shared look of every chart: series colours from CSS variables (app/globals.css), dash patterns so
// that lines differ by more than colour, and axis styling.

export const seriesColour = (i: number) => `var(--chart-${(i % 8) + 1})`;
export const seriesDash = (i: number) => ["", "6 3", "2 3", "10 3 2 3"][i % 4] ?? "";
export const axisProps = { stroke: "var(--chart-axis)", tick: { fill: "var(--chart-axis)", fontSize: 12 } } as const;
export const gridProps = { stroke: "var(--chart-grid)", strokeDasharray: "3 3" } as const;
