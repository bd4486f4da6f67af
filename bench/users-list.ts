// The users list's server time with 5,000 users in one trust: the data the /users page reads
// (listUsers + the department filter's options), first page, a page deep in the keyset, a role
// filter and a search, on a throwaway database (made and dropped) on the embedded PostgreSQL (started
// in a fresh folder, stopped after), or on the PostgreSQL server when DATABASE_URL is set. Prints median and p95 in milliseconds and
// the ratio of a deep page to the first (keyset paging: it should stay near 1).
//
//   npm run bench:users                     # embedded PostgreSQL
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:users
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase, useDatabase as pointProcessAt, type Database } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { departments, roleAssignments, sites, trusts, users } from "@/db/schema";
import { insertStaff } from "@/demo/demo-staff";
import type { Ctx } from "@/lib/auth/context";
import { getUser, listDepartmentOptions, listUsers } from "@/lib/users/queries";
import { userFilter } from "@/lib/users/schemas";
import { ensureEmbedded } from "../scripts/embedded-postgres";

const usersInTrust = Number(process.env.BENCH_USERS ?? 5000);
const runs = Number(process.env.BENCH_RUNS ?? 30);

async function open(): Promise<{ database: Database; drop: () => Promise<void> }> {
  const folder = process.env.DATABASE_URL ? null : fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-bench-users-"));
  if (folder) fs.chmodSync(folder, 0o755); // open to the user postgres, which the server runs as under root
  const embedded = folder ? await ensureEmbedded({ base: folder }) : null;
  const serverUrl = process.env.DATABASE_URL || embedded!.urlOf("postgres");
  const name = `mosaic_bench_${Date.now().toString(36)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    database: openDatabase({ url: url.toString() }),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
      await embedded?.stop();
      if (folder) fs.rmSync(folder, { recursive: true, force: true });
    },
  };
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { median: at(0.5), p95: at(0.95) };
}

async function time(label: string, fn: () => Promise<unknown>) {
  for (let i = 0; i < 3; i++) await fn(); // warm up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  const s = stats(samples);
  console.log(`${label.padEnd(44)} median ${s.median.toFixed(1).padStart(7)} ms   p95 ${s.p95.toFixed(1).padStart(7)} ms`);
  return s;
}

const { database, drop } = await open();
try {
  await runMigrations(database);
  pointProcessAt(database);
  const { trustId, otherId, ctx } = await database.db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
    const made = [];
    for (const ods of ["BEN", "OTH"]) {
      const [trust] = await tx.insert(trusts).values({ odsCode: ods, name: `Bench ${ods} NHS Trust`, status: "active" }).returning({ id: trusts.id });
      if (!trust) throw new Error("no trust");
      const [site] = await tx.insert(sites).values({ trustId: trust.id, code: `${ods}01`, name: `${ods} General`, town: "Benchton", postcode: "SO16 6YD" }).returning({ id: sites.id });
      if (!site) throw new Error("no site");
      const depts = await tx
        .insert(departments)
        .values(["Radiology", "Emergency Imaging", "Breast Unit", "MRI Centre"].map((name) => ({ trustId: trust.id, siteId: site.id, name, modalities: ["CT"] })))
        .returning({ id: departments.id });
      made.push({ id: trust.id, ods, departmentIds: depts.map((d) => d.id) });
    }
    const [home, other] = made;
    if (!home || !other) throw new Error("no trusts");
    const [manager] = await tx.insert(users).values({ email: "pacs@ben.example", name: "Bench Manager", homeTrustId: home.id }).returning({ id: users.id });
    if (!manager) throw new Error("no manager");
    await tx.insert(roleAssignments).values({ userId: manager.id, role: "pacs_manager", trustId: home.id });
    // 5,000 people at the bench trust (rotations go to the other trust and back), plus as many
    // again at another trust, which the list must skip rather than scan past.
    await insertStaff(
      tx,
      [
        { id: home.id, odsCode: home.ods, share: 1, departmentIds: home.departmentIds, managerId: manager.id },
        { id: other.id, odsCode: other.ods, share: 1, departmentIds: other.departmentIds, managerId: null },
      ],
      { count: usersInTrust * 2, seed: 7 },
    );
    const ctx: Ctx = { userId: manager.id, email: "pacs@ben.example", name: "Bench Manager", homeTrustId: home.id, sessionId: null, roles: [{ role: "pacs_manager", trustId: home.id }], client: { ip: null, userAgent: "bench" } };
    return { trustId: home.id, otherId: other.id, ctx };
  });
  await database.db.execute(sql`analyze`);
  const [{ n } = { n: 0 }] = (await database.db.execute(sql`select count(*)::int as n from users where home_trust_id = ${trustId}`).then((r) => (Array.isArray(r) ? r : (r as { rows: { n: number }[] }).rows))) as { n: number }[];
  void otherId;
  console.log(`Users list bench on ${database.kind}: ${n} users with home trust BEN (and as many at another trust), ${runs} runs each\n`);

  const page = (f: Record<string, string | undefined>) => listUsers(ctx, userFilter.parse(f));
  // The cursor of page 50 (of 100): walk there once.
  let cursor: string | undefined;
  for (let i = 1; i < 50; i++) cursor = (await listUsers(ctx, userFilter.parse({ after: cursor }))).next ?? cursor;
  const first = await time("users page data, page 1 (list + departments)", () => Promise.all([page({}), listDepartmentOptions(ctx)]));
  const deep = await time("users page data, page 50", () => Promise.all([page({ after: cursor }), listDepartmentOptions(ctx)]));
  await time("filter: role = radiologist, status = active", () => page({ role: "radiologist", status: "active" }));
  await time("filter: department", () => listDepartmentOptions(ctx).then((d) => page({ department: d[0]?.id })));
  await time("search: 'smith'", () => page({ q: "smith" }));
  const someone = (await page({})).rows[0];
  if (someone) await time("user page (roles, history, grant options)", () => getUser(ctx, someone.id));
  console.log(`\npage 50 / page 1 median ratio: ${(deep.median / first.median).toFixed(2)} (keyset paging: near 1)`);
} finally {
  await database.close();
  await drop();
}
