import { spawn } from "node:child_process";
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

/** Whether there is no build, or the source changed since it (a pull, an edit). */
export function buildNeeded(): boolean {
  const buildId = ".next/BUILD_ID";
  const builtAt = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
  return builtAt <= Math.max(...sourceRoots.map(newestSource));
}

/**
 * Builds when needed. With `logFile`, the build's output goes there instead of the terminal, so that
 * it can run beside other work that prints (npm start prepares the database meanwhile); a failed
 * build then prints the end of its log.
 */
export async function buildIfNeeded(options: { logFile?: string; signal?: AbortSignal } = {}): Promise<void> {
  if (!buildNeeded()) return;
  const { logFile, signal } = options;
  console.log(`Building the portal (after a fresh clone or a change; a minute or two)${logFile ? `, its log in ${path.relative(process.cwd(), logFile)}` : ""}…`);
  const out = logFile ? fs.openSync(logFile, "w") : "inherit";
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "build"], { stdio: ["ignore", out, out], signal });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", resolve);
  }).finally(() => {
    if (typeof out === "number") fs.closeSync(out);
  });
  if (code === 0) return;
  if (logFile) console.error(fs.readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n"));
  throw new Error(`next build failed (exit ${code})${logFile ? `: the whole log is in ${logFile}` : ""}`);
}
