"use client";
import { useState } from "react";
import { DataTable } from "@/components/ui/data-table";
import { formatDateTime } from "@/lib/calendar";
import { toCsv } from "@/lib/csv";
import { plural } from "@/lib/format";
import type { ImportedLink } from "@/lib/users/import";

/**
 * Each new person's set-password link after an import, shown once: only the hashes are stored, so
 * this page (and the CSV made here in the browser, never on the server) is the only copy.
 */
export function ImportedLinks({ links }: { links: ImportedLink[] }) {
  const [downloaded, setDownloaded] = useState(false);
  if (links.length === 0) return null;
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const urlOf = (token: string) => `${origin}/set-password?token=${encodeURIComponent(token)}`;
  const download = () => {
    const csv = toCsv(
      ["name", "email", "set_password_link", "expires"],
      links.map((l) => [l.name, l.email, urlOf(l.token), formatDateTime(l.expiresAt)]),
    );
    const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = "set-password-links.csv";
    a.click();
    URL.revokeObjectURL(url);
    setDownloaded(true);
  };
  return (
    <section aria-labelledby="links-heading" className="mt-4 flex flex-col gap-3" data-testid="imported-links">
      <h2 id="links-heading" className="text-xl font-bold">
        Set-password links (shown only now)
      </h2>
      <p>
        {plural(links.length, "new person", "new people")} need a link to set their password. Give each person theirs directly: each works once and
        expires after a week. Leaving this page loses them; a person without theirs can be sent a new link from their page.
      </p>
      <div>
        <button type="button" onClick={download} className="rounded border-2 border-brand px-4 py-2 font-semibold text-brand">
          Download the links (CSV)
        </button>
        {downloaded && (
          <span role="status" className="ml-3">
            Downloaded. Keep the file safe and delete it once the links are handed on.
          </span>
        )}
      </div>
      <DataTable
        caption="Set-password link of each new person"
        rows={links}
        rowKey={(l) => l.userId}
        columns={[
          { header: "Name", rowHeader: true, cell: (l) => l.name },
          { header: "Email", className: "break-all", cell: (l) => l.email },
          {
            header: "Link",
            cell: (l) => (
              <>
                <label htmlFor={`link-${l.userId}`} className="sr-only">
                  Set-password link for {l.name}
                </label>
                <input
                  id={`link-${l.userId}`}
                  readOnly
                  value={urlOf(l.token)}
                  className="w-full min-w-[16rem] rounded border border-line bg-canvas px-2 py-1 font-mono text-xs"
                  onFocus={(e) => e.currentTarget.select()}
                />
              </>
            ),
          },
          { header: "Expires", className: "whitespace-nowrap", cell: (l) => formatDateTime(l.expiresAt) },
        ]}
      />
    </section>
  );
}
