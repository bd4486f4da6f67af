import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DataTable, pageNumber, pageRows, type DataColumn } from "@/components/ui/data-table";

type Row = { id: string; name: string };
const rows: Row[] = Array.from({ length: 23 }, (_, i) => ({ id: `r${i + 1}`, name: `Person ${i + 1}` }));
const columns: DataColumn<Row>[] = [
  { header: "Name", cell: (r) => r.name },
  { header: "Actions", srOnlyHeader: true, cell: (r) => `act ${r.id}` },
];
const render = (props: Partial<Parameters<typeof DataTable<Row>>[0]>) =>
  renderToStaticMarkup(createElement(DataTable<Row>, { caption: "People, by name", columns, rows, rowKey: (r: Row) => r.id, ...props }));

describe("DataTable", () => {
  it("renders a captioned table with scoped column headings, one row per row given", () => {
    const html = render({ rows: rows.slice(0, 2) });
    expect(html).toContain('<caption class="sr-only">People, by name</caption>');
    expect(html.match(/<th scope="col"/g)).toHaveLength(2);
    expect(html).toContain('<span class="sr-only">Actions</span>');
    expect(html.match(/<tr /g)).toHaveLength(2);
    expect(html).toContain("Person 2");
  });

  it("scrolls sideways in its own positioned box, so screen-reader text cannot widen the page at 390 px", () => {
    const html = render({ rows: rows.slice(0, 1) });
    expect(html).toMatch(/<div class="relative overflow-x-auto[^"]*"><table/);
  });

  it("names each row by its row-heading cell and lines figures up on the right", () => {
    type Figure = { id: string; trust: string; exams: number };
    const figures: Figure[] = [
      { id: "a", trust: "RHM", exams: 1200 },
      { id: "b", trust: "RHU", exams: 800 },
    ];
    const html = renderToStaticMarkup(
      createElement(DataTable<Figure>, {
        caption: "Exams by trust",
        rows: figures,
        rowKey: (r: Figure) => r.id,
        columns: [
          { header: "Trust", rowHeader: true, cell: (r: Figure) => r.trust },
          { header: "Exams", numeric: true, cell: (r: Figure) => r.exams, total: 2000 },
        ],
      }),
    );
    expect(html.match(/<th scope="row"[^>]*>RH[MU]<\/th>/g)).toHaveLength(2);
    expect(html).toMatch(/<th scope="col" class="[^"]*text-right tabular-nums[^"]*">Exams<\/th>/);
    expect(html).toMatch(/<td class="[^"]*text-right tabular-nums[^"]*">1200<\/td>/);
    // The totals row is the table's footer, headed "Total" where its first column has no total of its own.
    expect(html).toMatch(/<tfoot[^>]*><tr><th scope="row"[^>]*>Total<\/th><td class="[^"]*text-right[^"]*">2000<\/td><\/tr><\/tfoot>/);
  });

  it("has no totals row unless a column has a total", () => {
    expect(render({ rows: rows.slice(0, 2) })).not.toContain("<tfoot");
  });

  it("shows the empty state instead of an empty table", () => {
    const html = render({ rows: [], empty: "No one here" });
    expect(html).not.toContain("<table");
    expect(html).toContain("No one here");
  });

  it("links to the other pages in a named navigation and offers the CSV as a plain download", () => {
    const html = render({ paging: { label: "Pages of people", prev: "/p?page=1", next: "/p?page=3" }, csvHref: "/people/export.csv?q=a" });
    expect(html).toContain('<nav aria-label="Pages of people"');
    expect(html).toContain('rel="prev"');
    expect(html).toContain('href="/p?page=3"');
    expect(html).toMatch(/<a download="" class="[^"]*" href="\/people\/export\.csv\?q=a">Download CSV/);
  });
});

describe("pageRows", () => {
  const hrefFor = (p: number) => `/people?page=${p}`;

  it("sends only the rows of the page asked for", () => {
    const second = pageRows(rows, 2, 10, "Pages of people", hrefFor);
    expect(second.rows.map((r) => r.id)).toEqual(rows.slice(10, 20).map((r) => r.id));
    expect(second.paging).toMatchObject({ prev: "/people?page=1", next: "/people?page=3", first: null, status: "Rows 11–20 of 23" });
  });

  it("reads a page out of range as the nearest one", () => {
    expect(pageRows(rows, 99, 10, "p", hrefFor).rows.map((r) => r.id)).toEqual(["r21", "r22", "r23"]);
    expect(pageRows(rows, 0, 10, "p", hrefFor).rows[0]?.id).toBe("r1");
    expect(pageRows(rows, 3, 10, "p", hrefFor).paging).toMatchObject({ first: "/people?page=1", next: null });
  });

  it("has no links and no status when everything fits on one page", () => {
    expect(pageRows(rows.slice(0, 5), 1, 10, "p", hrefFor).paging).toMatchObject({ first: null, prev: null, next: null, status: undefined });
  });

  it("parses the page number from the query string, anything else being page 1", () => {
    expect(pageNumber("3")).toBe(3);
    for (const bad of [undefined, "", "0", "-2", "2.5", "abc", "1e99"]) expect(pageNumber(bad)).toBe(1);
  });
});
