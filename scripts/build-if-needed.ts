import { execSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const sourceRoots = ["app", "components", "lib", "db", "public", "proxy.ts", "next.config.js", "postcss.config.mjs", "package-lock.json"];

/** The newest modification time under the folders a build reads. */
function newestSource(entry: string): number {
  if (!fs.existsSync(entry)) return 0;
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(entry).map((name) => newestSource(path.join(entry, name))));
}

/** Builds when there is no build, or the source changed since it (a pull, an edit). */
export function buildIfNeeded(): void {
  const buildId = ".next/BUILD_ID";
  const builtAt = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
  if (builtAt > Math.max(...sourceRoots.map(newestSource))) return;
  console.log("Building the portal (after a fresh clone or a change; a minute or two)…");
  execSync(`"${process.execPath}" node_modules/next/dist/bin/next build`, { stdio: "inherit" });
}

