import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ChartFigure } from "@/components/charts/chart-figure";

const rows = Array.from({ length: 365 }, (_, i) => ({ day: `day ${i}`, count: i }));
const figure = (tableOpen: boolean) =>
  renderToStaticMarkup(createElement(ChartFigure, { title: "Exams per day", columns: [{ key: "day", label: "Day" }, { key: "count", label: "Exams" }], rows, csvName: "x", tableOpen }));

// A chart's table of numbers is drawn when a person opens it: the server sends the numbers once
// (the chart's data), not a year of table rows hidden in a closed <details> as well.
describe("chart figures", () => {
  it("send a closed table of the numbers as its summary only", () => {
    const html = figure(false);
    expect(html).toContain("Table of the numbers");
    expect(html).not.toContain("<table");
    expect(html.length).toBeLessThan(2_000);
  });

  it("draw the table at once when it is open from the start", () => {
    const html = figure(true);
    expect(html.match(/<tr/g)).toHaveLength(366);
  });
});
