"use client";
import Link from "next/link";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { FormMessage } from "@/components/ui/form-message";
import { plural } from "@/lib/format";
import type { ImportedLink, ImportPreview } from "@/lib/users/import";
import { ImportedLinks } from "./imported-links";

type ImportState = {
  message?: string;
  preview?: ImportPreview;
  csv?: string;
  imported?: { created: number; granted: number; unchanged: number; links: ImportedLink[] };
} | null;
type Action = (state: ImportState, form: FormData) => Promise<ImportState>;

/** Upload, preview with each row's problems, then import every row or none. */
export function ImportForm({ previewAction, commitAction, maxBytes, tooLargeMessage }: { previewAction: Action; commitAction: Action; maxBytes: number; tooLargeMessage: string }) {
  const [previewState, preview, previewing] = useActionState(previewAction, null);
  // A file far over the limit would be cut off by the server's body limit before lib/ could answer
  // it: it is stopped here with the same message lib/ gives a file just over the limit.
  const [tooLarge, setTooLarge] = useState(false);
  const [commitState, commit, committing] = useActionState(commitAction, null);
  const state = commitState?.preview || commitState?.message || commitState?.imported ? commitState : previewState;

  if (commitState?.imported) {
    const r = commitState.imported;
    return (
      <>
        <div role="status" className="border-l-4 border-success bg-white p-4">
          <p className="font-semibold">Import complete.</p>
          <p>
            {plural(r.created, "new person", "new people")} added, {plural(r.granted, "role")} granted, {r.unchanged.toLocaleString("en-GB")} already in place.
          </p>
          <p className="mt-2">
            <Link href="/users?view=recent" className="text-brand underline">
              See recently changed users
            </Link>
          </p>
        </div>
        <ImportedLinks links={r.links} />
      </>
    );
  }
  const rows = state?.preview?.rows ?? [];
  const ok = state?.preview && state.preview.problemRows === 0;
  const counts = state?.preview?.counts;
  // Only rows that change something are offered: a file imported before has nothing left to do.
  const toImport = counts ? counts["create person and grant role"] + counts["grant role to existing person"] : 0;
  const summary = counts
    ? [
        counts["create person and grant role"] && `${plural(counts["create person and grant role"], "new person", "new people")} to add with a role`,
        counts["grant role to existing person"] && `${plural(counts["grant role to existing person"], "role")} to grant to people already here`,
        counts["already imported: nothing to do"] && `${plural(counts["already imported: nothing to do"], "row")} already imported: nothing to do`,
      ].filter(Boolean)
    : [];
  return (
    <div className="flex flex-col gap-6">
      <form
        action={preview}
        onSubmit={(event) => {
          const file = new FormData(event.currentTarget).get("file");
          const isTooLarge = file instanceof File && file.size > maxBytes;
          setTooLarge(isTooLarge);
          if (isTooLarge) event.preventDefault();
        }}
        className="flex flex-wrap items-end gap-4"
      >
        <div className="flex flex-col gap-1">
          <label htmlFor="import-file" className="font-semibold">
            CSV file
          </label>
          <input id="import-file" name="file" type="file" accept=".csv,text/csv" required className="rounded border-2 border-ink bg-white px-3 py-2" />
        </div>
        <Button type="submit" disabled={previewing}>
          {previewing ? "Checking…" : "Check file"}
        </Button>
      </form>
      <FormMessage message={tooLarge ? tooLargeMessage : state?.message} />
      {state?.preview && (
        <section aria-labelledby="preview-heading" className="flex flex-col gap-4">
          <h2 id="preview-heading" className="text-xl font-bold">
            {!ok ? `${state.preview.problemRows} of ${plural(rows.length, "row")} ${state.preview.problemRows === 1 ? "needs" : "need"} correcting` : toImport > 0 ? "Ready to import" : "Nothing to import"}
          </h2>
          {ok ? (
            <p>{toImport > 0 ? `${summary.join(", ")}.` : "Every row of this file is already in place: there is nothing to import."}</p>
          ) : (
            <p>Nothing will be imported until every row is right. Correct the file and check it again.</p>
          )}
          <DataTable
            caption="Rows of the file and what importing them would do"
            rows={rows}
            rowKey={(r) => String(r.line)}
            rowClassName={(r) => (r.problems.length ? "bg-canvas" : "")}
            columns={[
              { header: "Line", rowHeader: true, className: "font-mono", cell: (r) => r.line },
              { header: "Email", className: "break-all", cell: (r) => r.email },
              { header: "Name", cell: (r) => r.name },
              { header: "Role", cell: (r) => r.role },
              {
                header: "Trust",
                cell: (r) => (
                  <>
                    {r.trust}
                    {r.department && <div className="text-muted">{r.department}</div>}
                  </>
                ),
              },
              { header: "Window", className: "whitespace-nowrap", cell: (r) => `${r.validFrom}${r.validUntil ? ` to ${r.validUntil}` : " onwards"}` },
              {
                header: "Outcome",
                cell: (r) =>
                  r.problems.length ? (
                    <ul className="font-semibold text-danger">
                      {r.problems.map((p, i) => (
                        <li key={i}>
                          <span className="sr-only">Problem: </span>
                          {p}
                        </li>
                      ))}
                    </ul>
                  ) : (
                    r.action
                  ),
              },
            ]}
          />
          {ok && toImport > 0 && (
            <form action={commit}>
              <input type="hidden" name="csv" value={state.csv ?? ""} />
              <Button type="submit" disabled={committing}>
                {committing ? "Importing…" : `Import ${plural(toImport, "row")}`}
              </Button>
            </form>
          )}
        </section>
      )}
    </div>
  );
}
