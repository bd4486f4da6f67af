import Link from "next/link";
import type { ReactNode } from "react";
import { z } from "zod";
import { DownloadLink } from "./button";
import { EmptyState } from "./empty-state";

/** One column: its heading and how a row shows in it. */
export type DataColumn<Row> = {
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** Classes of the column's cells (alignment, wrapping, font). */
  className?: string;
  /** A heading read only by screen readers (a column of row actions). */
  srOnlyHeader?: boolean;
  /** Figures: right-aligned with digits of one width, so that they line up down the column. */
  numeric?: boolean;
  /** The cell that names its row (`<th scope="row">`), read by screen readers before each cell of the row. */
  rowHeader?: boolean;
  /** This column's cell of the totals row; the table has a totals row when any column has one. */
  total?: ReactNode;
};

/** Links between pages of a table, built by the page (keyset cursors or page numbers in the URL). */
export type DataTablePaging = {
  /** What is paged, for the navigation's accessible name ("Pages of users"). */
  label: string;
  first?: string | null;
  prev?: string | null;
  next?: string | null;
  /** "Page 2 of 7", or "Rows 51–100 of 312", when the page knows it. */
  status?: string;
};

type Props<Row> = {
  /** What the table holds, read first by screen readers; shown above it when `showCaption`. */
  caption: string;
  showCaption?: boolean;
  columns: DataColumn<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  /** Shown instead of the table when there is no row (a title, or an EmptyState of the page's). */
  empty?: ReactNode;
  paging?: DataTablePaging;
  /** The same rows (every page, with the filters) as a CSV file: the page's export route. */
  csvHref?: string;
  rowClassName?: (row: Row) => string;
};

const cellClass = "px-4 py-2";

/** The classes of one column's cells: its own, and those of a column of figures. */
function columnClass<Row>(c: DataColumn<Row>): string {
  return `${cellClass} ${c.numeric ? "text-right tabular-nums" : ""} ${c.className ?? ""}`;
}

/**
 * The portal's table: a server component that renders the rows of one page, never the whole
 * result, with a caption, column headings with scope, the page links of its `paging` (filters and
 * paging live in the URL) and a CSV download of the whole filtered result where the page has one.
 * Tables of bounded lists page them in memory with `pageRows`. The table scrolls sideways inside its
 * own positioned box (so at 390 px neither it nor its screen-reader-only text widens the page), and
 * the box may shrink inside a grid or flex item (`min-w-0`).
 */
export function DataTable<Row>({ caption, showCaption = false, columns, rows, rowKey, empty, paging, csvHref, rowClassName }: Props<Row>) {
  const links = paging ? pagingLinks(paging) : null;
  const hasTotals = columns.some((c) => c.total !== undefined);
  const download = csvHref ? (
    <DownloadLink href={csvHref} variant="quiet" className="px-0">
      Download CSV<span className="sr-only"> of {caption.charAt(0).toLowerCase() + caption.slice(1)}</span>
    </DownloadLink>
  ) : null;
  return (
    <div className="min-w-0">
      {rows.length === 0 ? (
        typeof empty === "string" || empty === undefined ? <EmptyState title={typeof empty === "string" ? empty : "Nothing to show"} /> : empty
      ) : (
        <div className="relative overflow-x-auto rounded border border-line bg-white">
          <table className="w-full text-left">
            <caption className={showCaption ? "px-4 py-2 text-left font-semibold" : "sr-only"}>{caption}</caption>
            <thead className="border-b border-line bg-canvas">
              <tr>
                {columns.map((c, i) => (
                  <th key={i} scope="col" className={columnClass(c)}>
                    {c.srOnlyHeader ? <span className="sr-only">{c.header}</span> : c.header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={rowKey(row)} className={`border-b border-line last:border-0 align-top ${rowClassName?.(row) ?? ""}`}>
                  {columns.map((c, i) =>
                    c.rowHeader ? (
                      <th key={i} scope="row" className={`${columnClass(c)} font-normal`}>
                        {c.cell(row)}
                      </th>
                    ) : (
                      <td key={i} className={columnClass(c)}>
                        {c.cell(row)}
                      </td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
            {hasTotals && (
              <tfoot className="border-t-2 border-line bg-canvas font-semibold">
                <tr>
                  {columns.map((c, i) =>
                    i === 0 ? (
                      <th key={i} scope="row" className={columnClass(c)}>
                        {c.total ?? "Total"}
                      </th>
                    ) : (
                      <td key={i} className={columnClass(c)}>
                        {c.total}
                      </td>
                    ),
                  )}
                </tr>
              </tfoot>
            )}
          </table>
        </div>
      )}
      {(links || download) && (
        <div className="mt-3 flex flex-wrap items-center gap-4 no-print">
          {links}
          {download}
        </div>
      )}
    </div>
  );
}

function pagingLinks({ label, first, prev, next, status }: DataTablePaging): ReactNode {
  if (!first && !prev && !next && !status) return null;
  return (
    <nav aria-label={label} className="flex flex-wrap items-center gap-4">
      {status && <span className="text-muted">{status}</span>}
      {first && (
        <Link href={first} className="text-brand underline">
          First page
        </Link>
      )}
      {prev && (
        <Link href={prev} className="text-brand underline" rel="prev">
          Previous page
        </Link>
      )}
      {next && (
        <Link href={next} className="text-brand underline" rel="next">
          Next page
        </Link>
      )}
    </nav>
  );
}

/**
 * One page of a bounded list for a DataTable: the rows of page `page` (1-based; out of range reads
 * as the nearest page) and the links to the others, built by `hrefFor(page)`.
 */
export function pageRows<Row>(rows: readonly Row[], page: number, size: number, label: string, hrefFor: (page: number) => string): { rows: Row[]; paging: DataTablePaging } {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const current = Math.min(pages, Math.max(1, Number.isInteger(page) ? page : 1));
  const start = (current - 1) * size;
  return {
    rows: rows.slice(start, start + size),
    paging: {
      label,
      first: current > 2 ? hrefFor(1) : null,
      prev: current > 1 ? hrefFor(current - 1) : null,
      next: current < pages ? hrefFor(current + 1) : null,
      status: pages > 1 ? `Rows ${(start + 1).toLocaleString("en-GB")}–${Math.min(rows.length, start + size).toLocaleString("en-GB")} of ${rows.length.toLocaleString("en-GB")}` : undefined,
    },
  };
}

/** A page number from the query string (`?page=3`); anything else is page 1. */
export function pageNumber(raw: string | string[] | undefined): number {
  return pageParam.parse(raw);
}

const pageParam = z.coerce.number().int().min(1).max(1_000_000).catch(1);
