// Test data made directly as the table owner (setup, not the code under test). Each call makes
// new rows with unique codes, so tests never depend on each other's data or order.
import { sql } from "drizzle-orm";
import { departments, roleAssignments, sites, trusts, users } from "@/db/schema";
import type { Ctx } from "@/lib/auth/context";
import type { Role } from "@/lib/vocabulary";
import { hashPassword } from "@/lib/identity/passwords";
import { testDatabase } from "./database";

let counter = 0;
const next = () => (++counter).toString(36).toUpperCase().padStart(2, "0");
const letters = () => {
  let n = ++counter;
  let s = "";
  for (let i = 0; i < 3; i++) {
    s += String.fromCharCode(65 + (n % 26));
    n = Math.floor(n / 26);
  }
  return s;
};

async function asOwner<T>(fn: (db: ReturnType<typeof testDatabase>["db"]) => Promise<T>): Promise<T> {
  const { db } = testDatabase();
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
    return fn(tx as unknown as ReturnType<typeof testDatabase>["db"]);
  });
}

export type TestTrust = { id: string; odsCode: string; siteId: string; departmentId: string };

/** A trust with one site and one department. */
export async function makeTrust(): Promise<TestTrust> {
  const ods = `T${letters()}`;
  return asOwner(async (db) => {
    const [trust] = await db.insert(trusts).values({ odsCode: ods, name: `Test Hospitals ${ods} NHS Trust`, status: "active" }).returning();
    if (!trust) throw new Error("no trust");
    const [site] = await db
      .insert(sites)
      .values({ trustId: trust.id, code: `${ods}1`, name: `${ods} General Hospital`, town: "Testham", postcode: "SO16 6YD" })
      .returning();
    if (!site) throw new Error("no site");
    const [dept] = await db
      .insert(departments)
      .values({ trustId: trust.id, siteId: site.id, name: "Radiology", modalities: ["CT", "MR"] })
      .returning();
    if (!dept) throw new Error("no department");
    return { id: trust.id, odsCode: ods, siteId: site.id, departmentId: dept.id };
  });
}

export const testPassword = "correct horse battery staple";

/** A user with roles (trustId null = consortium-wide), and the Ctx they would have when signed in. */
export async function makeUser(
  roles: { role: Role | string; trustId: string | null }[],
  opts: { homeTrustId?: string | null; status?: "active" | "suspended" | "left"; password?: string } = {},
): Promise<Ctx> {
  const email = `user${next()}${Date.now().toString(36)}@test.example`.toLowerCase();
  const passwordHash = await hashPassword(opts.password ?? testPassword);
  return asOwner(async (db) => {
    const homeTrustId = opts.homeTrustId === undefined ? (roles.find((r) => r.trustId)?.trustId ?? null) : opts.homeTrustId;
    const [user] = await db
      .insert(users)
      .values({ email, name: `Test ${email}`, homeTrustId, status: opts.status ?? "active", passwordHash })
      .returning();
    if (!user) throw new Error("no user");
    if (roles.length) {
      await db.insert(roleAssignments).values(roles.map((r) => ({ userId: user.id, role: r.role, trustId: r.trustId, validFrom: new Date(Date.now() - 86_400_000) })));
    }
    return { userId: user.id, email, name: user.name, homeTrustId, sessionId: null, roles, client: { ip: "127.0.0.1", userAgent: "vitest" } };
  });
}

/** Runs raw SQL as the table owner (to inspect or to tamper, as a person with database access could). */
export function ownerQuery<T = Record<string, unknown>>(query: ReturnType<typeof sql>): Promise<T[]> {
  return asOwner(async (db) => {
    const result = await db.execute(query);
    return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
  });
}

/** The database's own message of an error, looking through drizzle's "Failed query" wrapper. */
export async function dbErrorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const messages: string[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) messages.push(e.message);
    return messages.join(" | ");
  }
  throw new Error("expected the database to refuse");
}
