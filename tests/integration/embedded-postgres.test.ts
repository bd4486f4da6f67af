// The embedded PostgreSQL that npm start runs (scripts/embedded-postgres.ts): made in a new folder,
// loopback only, found again by a second process, stopped cleanly, and started again after a
// kill -9 left its pid file behind. Runs once, beside the embedded project's own server.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { embeddedDataDir, runningEmbedded } from "@/db/embedded";
import { embeddedPort, ensureEmbedded, stopEmbeddedServer } from "@/scripts/embedded-postgres";
import { testDbKind } from "../helpers/database";

const base = fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-embedded-test-"));
// As .data is: open to the user postgres, which the server runs as when the tests run as root.
fs.chmodSync(base, 0o755);

afterAll(async () => {
  if (runningEmbedded(base)) await stopEmbeddedServer(base);
  fs.rmSync(base, { recursive: true, force: true });
});

async function ask(url: string): Promise<{ listen: string; sockets: string }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ listen: string; sockets: string }[]>`select current_setting('listen_addresses') as listen, current_setting('unix_socket_directories') as sockets`;
    return row!;
  } finally {
    await sql.end();
  }
}

describe.runIf(testDbKind === "embedded")("the embedded PostgreSQL", () => {
  it("is made in a new folder, listens on loopback only, and is found again by another process", async () => {
    const first = await ensureEmbedded({ base });
    expect(first.started).toBe(true);
    expect(fs.existsSync(path.join(embeddedDataDir(base), "PG_VERSION"))).toBe(true);
    expect(await ask(first.url)).toEqual({ listen: "127.0.0.1", sockets: "" });
    const second = await ensureEmbedded({ base });
    expect(second.started).toBe(false);
    expect(second.url).toBe(first.url);
    await second.stop(); // not its to stop
    expect(runningEmbedded(base)).not.toBeNull();
    await first.stop();
    expect(runningEmbedded(base)).toBeNull();
    expect(fs.existsSync(path.join(embeddedDataDir(base), "postmaster.pid"))).toBe(false);
  });

  it("starts again after a kill -9, and when its old pid file names a live process that is not it", async () => {
    const server = await ensureEmbedded({ base });
    const sql = postgres(server.url, { max: 1, onnotice: () => {} });
    await sql`create table kept (n integer)`;
    await sql`insert into kept values (42)`;
    await sql.end();
    const running = runningEmbedded(base)!;
    process.kill(running.pid, "SIGKILL");
    for (let i = 0; i < 100 && runningEmbedded(base); i++) await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(path.join(embeddedDataDir(base), "postmaster.pid"))).toBe(true);
    const again = await ensureEmbedded({ base });
    expect(again.started).toBe(true);
    const check = postgres(again.url, { max: 1, onnotice: () => {} });
    expect(await check`select n from kept`).toEqual([{ n: 42 }]);
    await check.end();
    await again.stop();

    // After a restart of the machine the pid in a stale file can be anyone's: here, this process's.
    const pidFile = path.join(embeddedDataDir(base), "postmaster.pid");
    fs.writeFileSync(pidFile, `${process.pid}\n${embeddedDataDir(base)}\n0\n${running.port}\n\n127.0.0.1\n`);
    const third = await ensureEmbedded({ base });
    expect(third.started).toBe(true);
    await third.stop();
  });

  it("takes a port derived from its folder, and the next one when that is taken", async () => {
    const a = await embeddedPort("/somewhere/one/.data/postgres");
    const b = await embeddedPort("/somewhere/two/.data/postgres");
    expect(a).not.toBe(b);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(a, "127.0.0.1", resolve));
    try {
      expect(await embeddedPort("/somewhere/one/.data/postgres")).toBe(a + 1);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("is not shared by a second npm start in the same folder, which says one is running", () => {
    // The first npm start's pid file, naming a live process (this test's parent).
    fs.writeFileSync(path.join(base, "npm-start.pid"), String(process.ppid));
    const second = spawnSync(process.execPath, [path.resolve("node_modules/tsx/dist/cli.mjs"), "--conditions=react-server", "scripts/start.ts"], {
      encoding: "utf8",
      env: { ...process.env, MOSAIC_DATA_DIR: base, DATABASE_URL: "", PORT: "1" },
      timeout: 60_000,
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`Mosaic is already running in this folder (process ${process.ppid})`);
    expect(runningEmbedded(base)).toBeNull();
    fs.rmSync(path.join(base, "npm-start.pid"));
  });
});
