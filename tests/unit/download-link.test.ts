import fs from "node:fs";
import path from "node:path";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DownloadLink } from "@/components/ui/button";

// One click on a download must reach the server once: each export records an audit event. A
// next/link first fetches the address as a client-side navigation, then again as a full page load
// when the answer is a file, so a download is a plain anchor the browser follows once.
describe("download links", () => {
  it("render a plain anchor with the download attribute", () => {
    const html = renderToStaticMarkup(createElement(DownloadLink, { href: "/audit/export.csv?patient=9990000042" }, "Download CSV"));
    expect(html).toMatch(/^<a download="" class="[^"]*" href="\/audit\/export\.csv\?patient=9990000042">Download CSV<\/a>$/);
  });

  it("are used for every link to a CSV or JSON file in app/ and components/", () => {
    const files = ["app", "components"].flatMap((dir) =>
      fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".tsx")).map((f) => path.join(dir, f)),
    );
    const offenders: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file, "utf8");
      // Each href that names a file address, and the element it belongs to (the last tag opened before it).
      for (const m of text.matchAll(/href=\{?[`"'][^`"'?]*\.(?:csv|json)\b/g)) {
        const before = text.slice(0, m.index);
        const open = [...before.matchAll(/<(\w+)\b/g)].at(-1);
        const tag = open?.[1] ?? "?";
        const element = text.slice(open?.index ?? m.index, text.indexOf(">", m.index) + 1);
        const isDownload = tag === "DownloadLink" || (tag === "a" && /\sdownload\b/.test(element));
        if (!isDownload) offenders.push(`${file}: ${element}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
