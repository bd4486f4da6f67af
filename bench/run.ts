// `npm run bench`: every benchmark in bench/ in turn. Each prints its own figures and the ratios
// measured within its run (machines here are shared and noisy: ratios, not absolute times).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const benches = fs
  .readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file}`);
  const run = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", path.join(here, file)], { stdio: "inherit" });
  if (run.status !== 0) failed++;
}
if (benches.length === 0) console.log("No benchmarks in bench/.");
process.exit(failed ? 1 : 0);
