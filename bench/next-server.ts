// The production build served by `next start` on loopback, for the benchmarks that measure HTTP.
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import path from "node:path";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `next start` on 127.0.0.1:`port` with `env` (and Node flags `nodeArgs`, for the server
 * only), and resolves once GET /api/health answers 200. Its stderr lines are collected in `errors`
 * (at most 200), which the benchmarks print; if it exits first, the promise rejects with the last.
 */
export async function startNextServer(port: number, env: NodeJS.ProcessEnv, errors: string[], nodeArgs: string[] = []): Promise<ChildProcess> {
  const server = spawn(process.execPath, [...nodeArgs, path.resolve("node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
    stdio: ["ignore", "ignore", "pipe"],
    env,
  });
  server.stderr?.setEncoding("utf8");
  server.stderr?.on("data", (chunk: string) => {
    for (const line of chunk.split("\n")) if (line.trim() && errors.length < 200) errors.push(line);
  });
  const exited = new Promise<never>((_, reject) => server.once("exit", (code) => reject(new Error(`next start exited (${code}):\n${errors.slice(-20).join("\n")}`))));
  exited.catch(() => {}); // once ready, a later exit is the benchmark's to notice
  const ready = (async () => {
    for (let i = 0; i < 600; i++) {
      const ok = await new Promise<boolean>((resolve) => {
        http.get(`http://127.0.0.1:${port}/api/health`, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        }).on("error", () => resolve(false));
      });
      if (ok) return;
      await sleep(250);
    }
    throw new Error("the server did not answer GET /api/health within 150 s");
  })();
  await Promise.race([ready, exited]);
  return server;
}

/** Prints what the server wrote to stderr (Node's experimental-feature warnings left out), if anything. */
export function printServerErrors(errors: string[]): void {
  const lines = errors.filter((l) => !/ExperimentalWarning|--trace-warnings/.test(l));
  if (lines.length === 0) return;
  console.log(`\nThe server wrote to stderr (${lines.length} line(s)); the first ones:`);
  for (const l of lines.slice(0, 15)) console.log(`  ${l}`);
}
